// Plain text, line breaks kept, with the marked ranges as <mark> elements.
import { memo, useMemo } from "react";

import { segments } from "../../../../viewer/segments";
import type { TextMarks } from "./ranges";

export const PlainTextView = memo(function PlainTextView(props: {
  text: string;
  marks: TextMarks | null;
  activeKey: string | null;
}) {
  const runs = useMemo(() => segments(0, props.text.length, props.marks?.ranges ?? []), [props.text, props.marks]);
  const seen = new Set<string>();
  return (
    <div className="plain-text__body">
      {runs.map((run) => {
        const text = props.text.slice(run.start, run.end);
        if (run.keys.length === 0) return <span key={run.start}>{text}</span>;
        const key = run.keys[run.keys.length - 1] as string;
        const first = !seen.has(key);
        seen.add(key);
        const active = props.activeKey !== null && run.keys.includes(props.activeKey);
        return (
          <mark
            key={run.start}
            className={active ? "text-hl text-hl--active" : "text-hl"}
            data-highlight-key={key}
            data-highlight-keys={run.keys.join(" ")}
            tabIndex={first ? 0 : undefined}
            role={first ? "group" : undefined}
            aria-roledescription={first ? "highlight" : undefined}
            aria-label={first ? (props.marks?.labels.get(key) ?? "Highlighted passage") : undefined}
          >
            {text}
          </mark>
        );
      })}
    </div>
  );
});
