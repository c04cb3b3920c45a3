// The sources to mark in a text, as UTF-16 ranges into it (the server counts code points).
import type { Source } from "../../../../types/protocol";
import { codePointToUtf16, utf16Range } from "../../../../viewer/offsets";
import type { MarkRange } from "../../../../viewer/segments";
import { sourceKey, sourceLabel } from "../highlights";

export interface TextMarks {
  ranges: MarkRange[];
  labels: Map<string, string>;
}

export function textMarks(text: string, sources: Source[]): TextMarks {
  const convert = codePointToUtf16(text);
  const ranges = sources.map((source) => ({
    key: sourceKey(source),
    ...utf16Range(convert, source.char_start, source.char_end),
  }));
  return { ranges, labels: new Map(sources.map((s) => [sourceKey(s), sourceLabel(s)])) };
}
