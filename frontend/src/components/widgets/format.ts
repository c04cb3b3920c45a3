// How values read on screen: dates, file types, sizes.
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function shortDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : dateFormat.format(date);
}

const TYPES: Record<string, string> = {
  "application/pdf": "PDF",
  "text/markdown": "Markdown",
  "text/x-markdown": "Markdown",
  "text/plain": "Text",
};

export function fileTypeName(mimeType: string): string {
  return TYPES[mimeType] ?? mimeType;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
