import { describe, expect, it } from "vitest";

import type { ServerFrame } from "../types/protocol";
import {
  backoffDelay,
  ChatConnection,
  type ConnectionDeps,
  type SocketLike,
  socketPath,
} from "./connection";
import { f, syncState } from "./frames.test-helpers";
import type { StoredMessage } from "./history";
import { askQuestion } from "./reducer";

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: unknown[] = [];
  closedWith: number | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedWith = code ?? 1000;
  }
  serve(frame: ServerFrame) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

function harness(history: StoredMessage[] = [], token?: { token: string; expiresAt: number }) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; id: number }[] = [];
  const frames: (() => void)[] = [];
  let now = 1_000_000;
  let online = true;
  const refreshed: string[] = [];
  let tokenNow = token;
  const deps: ConnectionDeps = {
    createSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    fetchHistory: () => Promise.resolve(history),
    setTimer: (fn, ms) => {
      const id = timers.length + 1;
      timers.push({ fn, ms, id });
      return id;
    },
    clearTimer: (id) => {
      const at = timers.findIndex((t) => t.id === id);
      if (at >= 0) timers.splice(at, 1);
    },
    nextFrame: (fn) => frames.push(fn),
    random: () => 0.5,
    now: () => now,
    isOnline: () => online,
    location: { protocol: "http:", host: "example.test" },
    auth: token
      ? {
          current: () => tokenNow ?? null,
          refresh: () => {
            tokenNow = { token: `fresh-${refreshed.length}`, expiresAt: now + 600_000 };
            refreshed.push(tokenNow.token);
            return Promise.resolve(tokenNow);
          },
        }
      : undefined,
  };
  const connection = new ChatConnection({ documentId: 7 }, deps);
  return {
    connection,
    sockets,
    timers,
    refreshed,
    last: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error("no socket");
      return socket;
    },
    runTimers() {
      const due = timers.splice(0);
      for (const t of due) t.fn();
      return due.map((t) => t.ms);
    },
    paint() {
      for (const fn of frames.splice(0)) fn();
    },
    advance: (ms: number) => (now += ms),
    setOnline: (value: boolean) => (online = value),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("backoffDelay", () => {
  it("doubles from 1 s to a 30 s cap with equal jitter, and starts at 30 s after 4029", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, 1006, mid))).toEqual([
      750, 1500, 3000, 6000, 12000, 22500, 22500, 22500,
    ]);
    expect(backoffDelay(0, 1006, () => 0)).toBe(500);
    expect(backoffDelay(0, 1006, () => 1)).toBe(1000);
    expect(backoffDelay(0, 4029, mid)).toBe(22500);
    expect(backoffDelay(3, 4029, () => 1)).toBe(120000);
  });
});

describe("socketPath", () => {
  it("names the subject and the conversation to load", () => {
    expect(socketPath({ documentId: 7 }, null)).toBe("/ws/document/7/query/");
    expect(socketPath({ documentId: 7, corpusId: 3 }, 9)).toBe(
      "/ws/document/7/query/corpus/3/?load_from_conversation_id=9",
    );
    expect(socketPath({ corpusId: 3 }, null)).toBe("/ws/corpus/3/query/");
  });
});

describe("ChatConnection", () => {
  it("coalesces content deltas to one store write per animation frame", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    const socket = h.last();
    socket.serve(syncState({ conversation_id: null }));
    socket.serve(f.start(11));
    let writes = 0;
    h.connection.chat.subscribe(() => (writes += 1));
    for (let seq = 2; seq < 12; seq += 1) socket.serve(f.content(11, seq, "x"));
    expect(writes).toBe(0);
    h.paint();
    expect(writes).toBe(1);
    const entry = h.connection.chat.get().entries["a:11"];
    expect(entry?.kind === "answer" && entry.content).toBe("x".repeat(10));
    socket.serve(f.content(11, 12, "y"));
    socket.serve(f.finish(11, 13, "x".repeat(10) + "y")); // a FINISH flushes at once
    expect(h.connection.chat.get().activeMessageId).toBeNull();
  });

  it("sends the outbox (query, RESUME_STREAM after a gap) on the open socket", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    const socket = h.last();
    socket.serve(syncState({ conversation_id: null }));
    h.connection.dispatch((s) => askQuestion(s, "Rent?", "c-1"));
    socket.serve(f.start(11));
    socket.serve(f.thought(11, 2));
    socket.serve(f.sources(11, 4, []));
    expect(socket.sent).toEqual([
      { query: "Rent?", client_id: "c-1" },
      { type: "RESUME_STREAM", message_id: 11, after_seq: 2 },
    ]);
  });

  it("reconnects after a drop with backoff, resumes from the last seq, resends with the same client_id", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    const first = h.last();
    first.serve(syncState({ conversation_id: null }));
    h.connection.dispatch((s) => askQuestion(s, "Rent?", "c-1"));
    first.drop(1006);
    expect(h.connection.status.get()).toMatchObject({ kind: "reconnecting", code: 1006 });
    expect(h.runTimers()).toEqual([750]);
    await tick();
    const second = h.last();
    second.serve(syncState({ conversation_id: null }));
    expect(second.sent).toEqual([{ query: "Rent?", client_id: "c-1" }]);
    second.serve(f.start(11));
    second.serve(f.content(11, 2, "ab"));
    second.drop(1006);
    expect(h.runTimers()).toEqual([750]); // attempts reset by the successful SYNC_STATE
    await tick();
    const third = h.last();
    expect(third.url).toBe("ws://example.test/ws/document/7/query/?load_from_conversation_id=5");
    third.serve(syncState({ active_message_id: 11, last_seq: 5 }));
    expect(third.sent).toEqual([{ type: "RESUME_STREAM", message_id: 11, after_seq: 2 }]);
  });

  it("backs off further on repeated failures, longer after 4029", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    h.last().drop(1006);
    const delays = [h.runTimers()[0]];
    await tick();
    h.last().drop(1006);
    delays.push(h.runTimers()[0]);
    await tick();
    h.last().drop(4029);
    delays.push(h.runTimers()[0]);
    expect(delays).toEqual([750, 1500, 90000]);
  });

  it.each([1000, 4000, 4002, 4004])("does not retry after close %i", async (code) => {
    const h = harness();
    h.connection.open(null);
    await tick();
    h.last().drop(code);
    expect(h.connection.status.get()).toMatchObject({ kind: "closed", code });
    expect(h.timers).toEqual([]);
  });

  it("refreshes the token on 4001 and reconnects with the new one at once", async () => {
    const h = harness([], { token: "old", expiresAt: 1_000_000 + 3_600_000 });
    h.connection.open(null);
    await tick();
    expect(h.last().protocols).toEqual(["opencontracts.jwt.v1", "old"]);
    h.last().drop(4001);
    await tick();
    await tick();
    expect(h.refreshed).toEqual(["fresh-0"]);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().protocols).toEqual(["opencontracts.jwt.v1", "fresh-0"]);
  });

  it("sends AUTH with a fresh token before the current one expires", async () => {
    const h = harness([], { token: "old", expiresAt: 1_000_000 + 120_000 });
    h.connection.open(null);
    await tick();
    const socket = h.last();
    socket.serve(syncState());
    const refresh = h.timers.find((t) => t.ms === 90_000);
    expect(refresh).toBeDefined();
    refresh?.fn();
    await tick();
    expect(socket.sent).toEqual([{ type: "AUTH", token: "fresh-0" }]);
  });

  it("waits offline and reconnects at once when woken (online, tab visible)", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    h.setOnline(false);
    h.last().drop(1006);
    expect(h.connection.status.get().kind).toBe("offline");
    h.setOnline(true);
    h.connection.wake();
    await tick();
    expect(h.sockets).toHaveLength(2);
  });

  it("loads the stored history before opening the socket", async () => {
    const history: StoredMessage[] = [
      {
        id: 1,
        msg_type: "HUMAN",
        content: "Hi",
        state: "completed",
        data: {},
        conversation_id: 5,
        created: "",
        modified: "",
        creator: "demo",
      },
    ];
    const h = harness(history);
    h.connection.open(5);
    expect(h.sockets).toHaveLength(0);
    await tick();
    expect(h.connection.chat.get().order).toEqual(["q:1"]);
    expect(h.last().url).toContain("load_from_conversation_id=5");
  });

  it("switching conversation closes the old socket without reconnecting it", async () => {
    const h = harness();
    h.connection.open(null);
    await tick();
    const old = h.last();
    h.connection.open(5);
    expect(old.closedWith).toBe(1000);
    await tick();
    expect(h.sockets).toHaveLength(2);
    expect(h.timers).toEqual([]);
  });
});
