// The one connection hook both chats use. The connection lives in a ref for the lifetime of the
// subject (document / corpus): UI state never re-creates it. A conversation id from the URL
// switches it to that conversation, unless it is the one the socket already follows (the first
// question of a new chat creates its conversation on the open socket).
import { useEffect, useState } from "react";

import { api } from "../api/client";
import { ChatConnection, type ConnectionDeps, HistoryGone, type Subject } from "./connection";
import type { StoredMessage } from "./history";

const PAGE_SIZE = 100;

export async function fetchHistory(conversationId: number): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (let page = 1; ; page += 1) {
    const { data, response } = await api.GET("/api/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: conversationId }, query: { page, page_size: PAGE_SIZE } },
    });
    if (response.status === 404) throw new HistoryGone();
    if (!data) throw new Error(`history: HTTP ${response.status}`);
    messages.push(...data.items);
    if (messages.length >= data.count || data.items.length === 0) return messages;
  }
}

/** At most this often the streaming text is re-rendered (measured: docs/performance.md). */
export const MIN_FLUSH_INTERVAL_MS = 50;
let lastFlush = 0;

/** One store write per animation frame, and no more often than MIN_FLUSH_INTERVAL_MS. */
function nextFlush(fn: () => void): void {
  const run = () => {
    lastFlush = performance.now();
    fn();
  };
  const paint = () => {
    // Hidden tabs get no animation frames: do not let deltas pile up there.
    if (document.visibilityState === "hidden") window.setTimeout(run, MIN_FLUSH_INTERVAL_MS);
    else window.requestAnimationFrame(run);
  };
  const wait = lastFlush + MIN_FLUSH_INTERVAL_MS - performance.now();
  if (wait > 0) window.setTimeout(paint, wait);
  else paint();
}

export const browserDeps: ConnectionDeps = {
  createSocket: (url, protocols) => new WebSocket(url, protocols),
  fetchHistory,
  setTimer: (fn, ms) => window.setTimeout(fn, ms),
  clearTimer: (id) => window.clearTimeout(id),
  nextFrame: nextFlush,
  random: Math.random,
  now: Date.now,
  isOnline: () => navigator.onLine,
  location: window.location,
};

export function useChatConnection(
  subject: Subject,
  conversationId: number | null,
  deps: ConnectionDeps = browserDeps,
): ChatConnection {
  const key = JSON.stringify(subject);
  const [connection, setConnection] = useState(() => new ChatConnection(subject, deps));
  const [connectionKey, setConnectionKey] = useState(key);
  if (connectionKey !== key) {
    // Another document or corpus: a new connection (render-time reset, no stale socket).
    setConnectionKey(key);
    setConnection(new ChatConnection(subject, deps));
  }

  useEffect(() => {
    if (connection.status.get().kind !== "idle" && connection.conversationId === conversationId) {
      return;
    }
    connection.open(conversationId);
  }, [connection, conversationId]);

  useEffect(() => {
    const wake = () => {
      if (document.visibilityState === "visible") connection.wake();
    };
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", wake);
    return () => {
      window.removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", wake);
      connection.dispose();
    };
  }, [connection]);

  return connection;
}
