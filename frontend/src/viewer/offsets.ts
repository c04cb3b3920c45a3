// The server counts characters in code points (Python's str); JavaScript strings count UTF-16
// units. Every char range from the server goes through here before it touches a JS string, or
// every highlight after an emoji (two UTF-16 units, one code point) lands one unit early.

/** A function mapping a code-point offset in `text` to the UTF-16 offset of the same position. */
export function codePointToUtf16(text: string): (offset: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) {
    return (offset) => Math.max(0, Math.min(offset, text.length));
  }
  const units: number[] = [0]; // units[k] = UTF-16 offset of code point k
  let position = 0;
  for (const char of text) {
    position += char.length;
    units.push(position);
  }
  const last = units.length - 1;
  return (offset) => units[Math.max(0, Math.min(offset, last))] ?? text.length;
}

export interface Utf16Range {
  start: number;
  end: number;
}

/** A server range [char_start, char_end) as a UTF-16 range into the same text. */
export function utf16Range(
  convert: (offset: number) => number,
  charStart: number,
  charEnd: number,
): Utf16Range {
  return { start: convert(charStart), end: convert(Math.max(charStart, charEnd)) };
}
