// The agent's steps as a collapsible list: the same entries live (ASYNC_THOUGHT.data.entry and a
// "sources" entry per ASYNC_SOURCES) and after a reload (the stored data.timeline).
import type { TimelineEntry } from "../../../types/protocol";

const ICONS: Record<TimelineEntry["type"], string> = {
  thought: "💭",
  tool_call: "🔧",
  tool_result: "↩",
  sources: "📄",
  status: "•",
};

/** Keys sorted: the stored timeline (jsonb) does not keep the live order of keys. */
export function sortedJson(args: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(args).sort(([a], [b]) => a.localeCompare(b))));
}

export function Timeline({ entries, running }: { entries: TimelineEntry[]; running: boolean }) {
  if (!entries.length) return null;
  const steps = entries.length === 1 ? "1 step" : `${entries.length} steps`;
  return (
    <details className="timeline">
      <summary>
        {running ? "Working: " : "How I answered: "}
        {steps}
      </summary>
      <ol>
        {entries.map((entry, i) => (
          <li key={i} className={`timeline-${entry.type}`}>
            <span aria-hidden="true" className="timeline-icon">
              {ICONS[entry.type]}
            </span>
            <span>
              {entry.text}
              {entry.args && Object.keys(entry.args).length > 0 && (
                <code className="timeline-args">{sortedJson(entry.args)}</code>
              )}
            </span>
          </li>
        ))}
      </ol>
    </details>
  );
}
