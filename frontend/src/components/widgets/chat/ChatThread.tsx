// The one thread: the transcript is a log that is not read aloud token by token (aria-live off);
// a separate status region announces when an answer starts and ends. It follows the newest text
// while the user has not scrolled up (wheel, touch or keys, kept in a ref), and offers "Jump to
// latest" when they have.
import { type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

import type { ChatConnection } from "../../../chat/connection";
import { useStore } from "../../../chat/store";
import { ChatMessage, type MessageActions } from "./ChatMessage";

const NEAR_BOTTOM_PX = 48;
/** A long conversation renders its newest messages first, older ones as the user scrolls up. */
export const RENDER_STEP = 40;
const NEAR_TOP_PX = 200;
const SCROLL_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);

interface Props extends MessageActions {
  connection: ChatConnection;
  empty: ReactNode;
}

export function ChatThread({ connection, empty, ...actions }: Props) {
  const order = useStore(connection.chat, (s) => s.order);
  const announcement = useStore(connection.chat, (s) => s.announcement);
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [showJump, setShowJump] = useState(false);
  const [shown, setShown] = useState(RENDER_STEP);
  const hidden = Math.max(0, order.length - shown);
  const visible = hidden ? order.slice(hidden) : order;
  const keepFromBottom = useRef<number | null>(null);

  const showEarlier = useCallback(() => {
    const el = scroller.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    setShown((n) => n + RENDER_STEP);
  }, []);

  // Older messages were added above: keep what the user was reading where it was.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    }
  }, [shown]);

  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  // Follow new content: observe the log's size (a token grows the last message only).
  useLayoutEffect(() => {
    const el = scroller.current;
    const content = el?.firstElementChild;
    if (!el || !content) return;
    const observer = new ResizeObserver(() => {
      if (following.current) toBottom();
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [toBottom]);

  useEffect(() => {
    if (following.current) toBottom();
  }, [order, toBottom]);

  const userScrolled = () => {
    // The user's intent: decided on the next scroll event (see onScroll).
    const el = scroller.current;
    if (!el) return;
    window.requestAnimationFrame(() => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
      following.current = atBottom;
      setShowJump(!atBottom);
    });
  };

  const jump = () => {
    following.current = true;
    setShowJump(false);
    toBottom();
  };

  return (
    <div className="thread-wrap">
      <div
        ref={scroller}
        className="thread"
        role="log"
        aria-live="off"
        aria-label="Conversation"
        tabIndex={0}
        onWheel={userScrolled}
        onTouchMove={userScrolled}
        onKeyDown={(e) => {
          if (SCROLL_KEYS.has(e.key) || e.key === "ArrowDown" || e.key === "PageDown" || e.key === "End") {
            userScrolled();
          }
        }}
        onScroll={(e) => {
          if (showJump || !following.current) userScrolled();
          if (hidden && !following.current && e.currentTarget.scrollTop < NEAR_TOP_PX) showEarlier();
        }}
      >
        <div className="thread-content">
          {hidden > 0 && (
            <button type="button" className="btn earlier" onClick={showEarlier}>
              Show {Math.min(hidden, RENDER_STEP)} earlier messages
            </button>
          )}
          {order.length === 0
            ? empty
            : visible.map((key) => (
                <ChatMessage key={key} connection={connection} entryKey={key} {...actions} />
              ))}
        </div>
      </div>
      {showJump && (
        <button type="button" className="btn jump" onClick={jump}>
          ↓ Jump to latest
        </button>
      )}
      <div className="sr-only" role="status" aria-live="polite">
        {announcement}
      </div>
    </div>
  );
}
