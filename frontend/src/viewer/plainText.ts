// A passage's words without its Markdown markers (headings, emphasis, code ticks): what a list of
// passages or sources shows. The stored text and its offsets are untouched (highlights use those).

/** The passage as plain words on one line. */
export function plainText(text: string): string {
  return text
    .replace(/^\s*#{1,6}\s+/gm, "")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Its first `max` characters as plain words, with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const flat = plainText(text);
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
