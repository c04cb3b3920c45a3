// Questions offered in an empty chat, so the first use is one click: from the document's outline
// (headings at the start of its passages), else from its title.
const HEADING = /^\s*(?:#{1,6}\s*)?(?:(?:section|article)\s+)?(?:\d+(?:\.\d+)*\.?\s+)?([A-Z][^.!?:\n]{2,48})\s*$/i;
const SKIP = /^(table of contents|contents|recitals?|definitions?|signatures?|schedule|exhibit|annex|appendix|whereas|page \d+)/i;

export function headingOf(passage: string): string | null {
  const first = passage.split("\n").find((line) => line.trim() !== "");
  if (!first) return null;
  const match = HEADING.exec(first);
  const heading = match?.[1]?.trim();
  if (!heading || SKIP.test(heading) || heading.split(/\s+/).length > 6) return null;
  return heading;
}

export function suggestQuestions(title: string, passages: readonly string[], max = 3): string[] {
  const headings: string[] = [];
  for (const passage of passages) {
    const heading = headingOf(passage);
    if (heading && !headings.some((h) => h.toLowerCase() === heading.toLowerCase())) {
      headings.push(heading);
    }
  }
  const questions = headings
    .slice(1, max + 1) // the first heading is usually the document's own title
    .map((h) => `What does it say about ${h.toLowerCase()}?`);
  if (questions.length < max && title) questions.push(`What are the key terms of “${title}”?`);
  return questions.slice(0, max);
}
