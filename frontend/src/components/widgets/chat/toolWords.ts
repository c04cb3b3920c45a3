// What an approval-gated tool does, in words a person can decide on.
const WORDS: Record<string, string> = {
  add_document_note: "Add a note to the document",
  add_annotation: "Highlight text in the document",
  update_document_summary: "Change the document's summary",
  update_corpus_description: "Change the corpus description",
  create_note: "Add a note to the document",
};

const ARGUMENTS: Record<string, string> = {
  content: "Text",
  title: "Title",
  exact_text: "Text to highlight",
  label: "Label",
  occurrence: "Occurrence",
  summary: "New summary",
  description: "New description",
  new_summary: "New summary",
  new_description: "New description",
};

export function toolInWords(name: string): string {
  return WORDS[name] ?? `Run “${name.replace(/_/g, " ")}”`;
}

export function argumentName(key: string): string {
  return ARGUMENTS[key] ?? key.replace(/_/g, " ");
}

export function argumentValue(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
