// One message. It subscribes to its own store entry, so a token re-renders this message only.
import { memo } from "react";

import type { ChatConnection } from "../../../chat/connection";
import { type AnswerEntry, isRunning } from "../../../chat/state";
import { useStore } from "../../../chat/store";
import type { Usage } from "../../../types/protocol";
import { type CiteHandler, MessageMarkdown } from "./MessageMarkdown";
import { SourcesList } from "./SourcesList";
import { Timeline } from "./Timeline";
import { toolInWords } from "./toolWords";

export interface MessageActions {
  onCite: CiteHandler;
  onRetry: (question: string) => void;
  onReviewApproval: (messageId: number) => void;
}

interface Props extends MessageActions {
  connection: ChatConnection;
  entryKey: string;
}

export const ChatMessage = memo(function ChatMessage({ connection, entryKey, ...actions }: Props) {
  const entry = useStore(connection.chat, (s) => s.entries[entryKey]);
  if (!entry) return null;
  if (entry.kind === "question") {
    return (
      <article className="msg msg-question" aria-label="Your question">
        <p className="msg-text">{entry.text}</p>
        {entry.sending && <span className="msg-meta">Sending…</span>}
      </article>
    );
  }
  return <Answer entry={entry} {...actions} />;
});

function Answer({ entry, onCite, onRetry, onReviewApproval }: { entry: AnswerEntry } & MessageActions) {
  const running = isRunning(entry.status);
  return (
    <article
      className={`msg msg-answer msg-${entry.status}`}
      aria-label="Answer"
      aria-busy={entry.status === "streaming"}
      data-message-id={entry.messageId}
    >
      {entry.content ? (
        <MessageMarkdown text={entry.content} sources={entry.sources} onCite={onCite} />
      ) : entry.status === "streaming" ? (
        <p className="msg-thinking">Thinking…</p>
      ) : null}
      {entry.status === "streaming" && entry.content && <span className="caret" aria-hidden="true" />}
      <StatusLine entry={entry} onRetry={onRetry} onReviewApproval={onReviewApproval} />
      <SourcesList sources={entry.sources} onCite={onCite} />
      <Timeline entries={entry.timeline} running={running} />
      {entry.usage && <UsageFooter usage={entry.usage} />}
    </article>
  );
}

function StatusLine({
  entry,
  onRetry,
  onReviewApproval,
}: {
  entry: AnswerEntry;
  onRetry: (q: string) => void;
  onReviewApproval: (id: number) => void;
}) {
  if (entry.decision && entry.status !== "awaiting_approval") {
    const what = entry.decision.call ? toolInWords(entry.decision.call.name) : "the change";
    return (
      <p className={`msg-badge decision-${entry.decision.decision}`}>
        {entry.decision.decision === "approved" ? "Approved" : "Rejected"}: {what}
        {entry.status === "cancelled" ? " · Stopped" : ""}
      </p>
    );
  }
  switch (entry.status) {
    case "awaiting_approval":
      return (
        <div className="msg-badge awaiting">
          <span>Waiting for approval{entry.pending ? `: ${toolInWords(entry.pending.name)}` : ""}</span>
          <button type="button" className="btn btn-small" onClick={() => onReviewApproval(entry.messageId)}>
            Review
          </button>
        </div>
      );
    case "cancelled":
      return <p className="msg-badge stopped">Stopped</p>;
    case "interrupted":
      return (
        <div className="msg-badge failed" role="alert">
          <span>Interrupted: the server stopped while answering.</span>
          {entry.question && (
            <button type="button" className="btn btn-small" onClick={() => onRetry(entry.question)}>
              Try again
            </button>
          )}
        </div>
      );
    case "error":
      return (
        <div className="msg-badge failed" role="alert">
          <span>
            {entry.error?.message ?? "The answer failed."} <code>{entry.error?.code}</code>
          </span>
          {entry.question && (
            <button type="button" className="btn btn-small" onClick={() => onRetry(entry.question)}>
              Try again
            </button>
          )}
        </div>
      );
    default:
      return null;
  }
}

function UsageFooter({ usage }: { usage: Usage }) {
  if (!usage.total_tokens && usage.cost_usd === null) return null;
  const parts = [`${usage.total_tokens.toLocaleString()} tokens`];
  if (usage.input_tokens || usage.output_tokens) {
    parts.push(`${usage.input_tokens.toLocaleString()} in / ${usage.output_tokens.toLocaleString()} out`);
  }
  if (usage.cost_usd !== null) parts.push(`$${usage.cost_usd.toFixed(4)}`);
  return <footer className="msg-usage">{parts.join(" · ")}</footer>;
}
