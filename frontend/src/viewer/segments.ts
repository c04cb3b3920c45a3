// Cutting a text into runs by the highlight ranges that cover them (ranges in UTF-16 units).
// The plain-text view renders the runs directly; the Markdown view cuts each rendered text node.

export interface MarkRange {
  key: string;
  start: number;
  end: number;
}

export interface Segment {
  start: number;
  end: number;
  keys: string[];
}

/** The runs of [from, to), each with the keys of the ranges covering all of it. */
export function segments(from: number, to: number, ranges: MarkRange[]): Segment[] {
  const cuts = new Set<number>([from, to]);
  for (const range of ranges) {
    if (range.end <= from || range.start >= to || range.end <= range.start) continue;
    cuts.add(Math.max(from, range.start));
    cuts.add(Math.min(to, range.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    if (end <= start) continue;
    const keys = ranges.filter((r) => r.start <= start && r.end >= end && r.end > r.start);
    out.push({ start, end, keys: keys.map((r) => r.key) });
  }
  return out;
}
