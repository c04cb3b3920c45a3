// The one composer: Enter sends, Shift+Enter breaks the line; a counter near the server's limit;
// disabled with a reason while a turn runs (Stop instead of Send); refusals and rate limits
// shown with the retry time, and the refused question given back.
import { type FormEvent, type KeyboardEvent, useEffect, useId, useState } from "react";

import type { Notice } from "../../../chat/state";

export const MAX_QUERY_CHARS = 8000;
const COUNTER_FROM = 0.8;

interface Props {
  placeholder: string;
  running: boolean;
  blockedReason: string | null;
  canStop: boolean;
  notice: Notice | null;
  onSend: (text: string) => void;
  onStop: () => void;
  onDismissNotice: () => void;
}

/** Seconds left of a rate limit's wait, counted from when its notice arrived. */
function useCountdown(notice: Notice | null): number {
  const seconds = notice?.retryAfter ?? 0;
  const serial = notice?.serial ?? 0;
  const [left, setLeft] = useState({ serial: 0, left: 0 });
  useEffect(() => {
    if (!seconds) return;
    const until = Date.now() + seconds * 1000;
    const timer = window.setInterval(() => {
      const remaining = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setLeft({ serial, left: remaining });
      if (!remaining) window.clearInterval(timer);
    }, 250);
    return () => window.clearInterval(timer);
  }, [seconds, serial]);
  if (!seconds) return 0;
  return left.serial === serial ? left.left : seconds;
}

export function Composer(props: Props) {
  const { placeholder, running, blockedReason, canStop, notice, onSend, onStop, onDismissNotice } = props;
  const [text, setText] = useState("");
  const [seen, setSeen] = useState(0);
  const hintId = useId();
  const wait = useCountdown(notice);

  if (notice && notice.serial !== seen) {
    // A refused question comes back into the box (render-time, once per notice).
    setSeen(notice.serial);
    if (notice.draft) setText(notice.draft);
  }

  const tooLong = text.length > MAX_QUERY_CHARS;
  const reason =
    blockedReason ??
    (running ? "Wait for the answer, or stop it." : null) ??
    (wait > 0 ? `Too many questions: try again in ${wait} s.` : null) ??
    (tooLong ? `Shorten the question to ${MAX_QUERY_CHARS.toLocaleString()} characters.` : null);
  const canSend = !reason && text.trim().length > 0;

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={send}>
      {notice && (
        <div className="composer-notice" role="alert">
          <span>
            {notice.message}
            {wait > 0 && ` Try again in ${wait} s.`}
          </span>
          <button type="button" className="btn-icon" aria-label="Dismiss" onClick={onDismissNotice}>
            ×
          </button>
        </div>
      )}
      <div className="composer-row">
        <textarea
          aria-label={placeholder}
          aria-describedby={hintId}
          placeholder={placeholder}
          value={text}
          rows={2}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {running && canStop ? (
          <button type="button" className="btn btn-stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={!canSend}>
            Send
          </button>
        )}
      </div>
      <div className="composer-hint" id={hintId}>
        <span>{reason ?? "Enter to send · Shift+Enter for a new line"}</span>
        {text.length >= MAX_QUERY_CHARS * COUNTER_FROM && (
          <span className={tooLong ? "counter over" : "counter"}>
            {text.length.toLocaleString()} / {MAX_QUERY_CHARS.toLocaleString()}
          </span>
        )}
      </div>
    </form>
  );
}
