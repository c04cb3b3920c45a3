// A rehype plugin for the Markdown view: wraps the rendered text that comes from a marked range of
// the Markdown source in <mark> elements. Text nodes know their source offsets (UTF-16, like the
// ranges); a node whose text is exactly its source slice is cut at the range's edges, any other
// (an escape, an entity) is marked whole when a range reaches into it.
import type { Element, ElementContent, Root, RootContent, Text } from "hast";

import { segments, type MarkRange } from "../../../../viewer/segments";

export interface MarkOptions {
  source: string;
  ranges: MarkRange[];
  labels: Map<string, string>;
  activeKey: string | null;
}

function mark(text: string, keys: string[], options: MarkOptions, seen: Set<string>): ElementContent {
  const key = keys[keys.length - 1] as string;
  const first = !seen.has(key);
  seen.add(key);
  const active = options.activeKey !== null && keys.includes(options.activeKey);
  return {
    type: "element",
    tagName: "mark",
    properties: {
      className: active ? ["text-hl", "text-hl--active"] : ["text-hl"],
      dataHighlightKey: key,
      dataHighlightKeys: keys.join(" "),
      ...(first
        ? {
            tabIndex: 0,
            role: "group", // a <mark> may not be named; the highlight is a named, focusable group
            ariaRoledescription: "highlight",
            ariaLabel: options.labels.get(key) ?? "Highlighted passage",
          }
        : {}),
    },
    children: [{ type: "text", value: text }],
  };
}

function splitText(node: Text, options: MarkOptions, seen: Set<string>): ElementContent[] {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) return [node];
  const exact = options.source.slice(start, end) === node.value;
  const runs = segments(start, end, options.ranges);
  if (runs.every((run) => run.keys.length === 0)) return [node];
  if (!exact) {
    const keys = [...new Set(runs.flatMap((run) => run.keys))];
    return [mark(node.value, keys, options, seen)];
  }
  return runs.map((run) => {
    const text = node.value.slice(run.start - start, run.end - start);
    return run.keys.length === 0 ? { type: "text", value: text } : mark(text, run.keys, options, seen);
  });
}

function walk(parent: Root | Element, options: MarkOptions, seen: Set<string>): void {
  const children: RootContent[] = [];
  for (const child of parent.children) {
    if (child.type === "text") children.push(...splitText(child, options, seen));
    else {
      if (child.type === "element") walk(child, options, seen);
      children.push(child);
    }
  }
  parent.children = children as typeof parent.children;
}

export function rehypeMarkRanges(options: MarkOptions) {
  return (tree: Root) => {
    if (options.ranges.length > 0) walk(tree, options, new Set());
  };
}
