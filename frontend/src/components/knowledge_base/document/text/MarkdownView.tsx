// Markdown rendered safely: react-markdown without raw HTML (no rehype-raw), so markup in a
// document is shown as text; javascript: links are dropped by its default URL transform.
import { memo, useMemo } from "react";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

import type { TextMarks } from "./ranges";
import { rehypeMarkRanges } from "./rehypeMarkRanges";

export const MarkdownView = memo(function MarkdownView(props: {
  text: string;
  marks: TextMarks | null;
  activeKey: string | null;
}) {
  const plugins = useMemo(
    () => [
      [
        rehypeMarkRanges,
        {
          source: props.text,
          ranges: props.marks?.ranges ?? [],
          labels: props.marks?.labels ?? new Map(),
          activeKey: props.activeKey,
        },
      ] as [typeof rehypeMarkRanges, Parameters<typeof rehypeMarkRanges>[0]],
    ],
    [props.text, props.marks, props.activeKey],
  );
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={plugins}>
      {props.text}
    </ReactMarkdown>
  );
});
