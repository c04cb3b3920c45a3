// The one chat connection (both chats use it through useChatConnection): opens the socket for a
// subject and conversation, loads the stored history first, feeds every frame to the reducer
// (content deltas coalesced to one store write per animation frame, everything else at once),
// sends what the reducer put in the outbox, and reconnects like a phone needs (backoff with
// jitter, no retry when retrying cannot help, at once when the network or the tab comes back).
import type { ClientFrame, ServerFrame } from "../types/protocol";
import type { StoredMessage } from "./history";
import { loadHistory } from "./history";
import { applyFrames, disconnected, drainOutbox } from "./reducer";
import { type ChatState, emptyChat } from "./state";
import { Store } from "./store";

export type Subject = { documentId: number; corpusId?: number | null } | { corpusId: number };

export type ConnectionStatus =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; retryAt: number; code: number | null }
  | { kind: "offline" }
  | { kind: "closed"; code: number; reason: string };

/** Token auth (optional: the browser app uses the Django session cookie). */
export interface TokenProvider {
  current(): { token: string; expiresAt: number } | null;
  refresh(): Promise<{ token: string; expiresAt: number } | null>;
}

export interface SocketLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectionDeps {
  createSocket: (url: string, protocols?: string[]) => SocketLike;
  fetchHistory: (conversationId: number) => Promise<StoredMessage[]>;
  auth?: TokenProvider;
  setTimer: (fn: () => void, ms: number) => number;
  clearTimer: (id: number) => void;
  nextFrame: (fn: () => void) => void;
  random: () => number;
  now: () => number;
  isOnline: () => boolean;
  location: { protocol: string; host: string };
}

const OPEN = 1;
/** Closes after which a retry cannot succeed. */
const FINAL_CLOSES: Record<number, string> = {
  1000: "The chat was closed.",
  4000: "Sign in to chat about this.",
  4002: "Your sign-in is not valid. Sign in again.",
  4004: "This chat is not available: it was deleted or is not shared with you.",
};
export const TOKEN_EXPIRED = 4001;
export const TOO_MANY_CONNECTIONS = 4029;
const REFRESH_BEFORE_EXPIRY_MS = 30_000;

/** Equal-jitter exponential backoff: 1 s, 2 s, 4 s … up to 30 s; from 30 s (up to 2 min) after
 * 4029, since the server counts connections per minute. */
export function backoffDelay(attempt: number, code: number | null, random: () => number): number {
  const throttled = code === TOO_MANY_CONNECTIONS;
  const base = throttled ? 30_000 : 1_000;
  const cap = throttled ? 120_000 : 30_000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function socketPath(subject: Subject, conversationId: number | null): string {
  const base =
    "documentId" in subject
      ? subject.corpusId
        ? `/ws/document/${subject.documentId}/query/corpus/${subject.corpusId}/`
        : `/ws/document/${subject.documentId}/query/`
      : `/ws/corpus/${subject.corpusId}/query/`;
  return conversationId === null ? base : `${base}?load_from_conversation_id=${conversationId}`;
}

export class ChatConnection {
  readonly chat: Store<ChatState>;
  readonly status = new Store<ConnectionStatus>({ kind: "idle" });
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: number | null = null;
  private refreshTimer: number | null = null;
  private queued: ServerFrame[] = [];
  private frameScheduled = false;
  private generation = 0;
  private disposed = false;

  constructor(
    private readonly subject: Subject,
    private readonly deps: ConnectionDeps,
    conversationId: number | null = null,
  ) {
    this.chat = new Store(emptyChat(conversationId));
  }

  /** Start (or switch to another conversation; null: a new chat). */
  open(conversationId: number | null): void {
    this.stopSocket();
    this.disposed = false;
    this.attempt = 0;
    this.chat.set(emptyChat(conversationId));
    void this.connect();
  }

  /** The conversation the first question created: keep following it on this socket. */
  get conversationId(): number | null {
    return this.chat.get().conversationId;
  }

  dispatch(action: (state: ChatState) => ChatState): void {
    this.flushQueued();
    this.chat.update(action);
    this.sendOutbox();
  }

  /** Reconnect now if waiting (the network or the tab came back). */
  wake(): void {
    const kind = this.status.get().kind;
    if (kind === "reconnecting" || kind === "offline") {
      this.clearRetry();
      void this.connect();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopSocket();
    this.status.set({ kind: "idle" });
  }

  // --- internals ----------------------------------------------------------------------------

  private stopSocket(): void {
    this.generation += 1;
    this.clearRetry();
    if (this.refreshTimer !== null) this.deps.clearTimer(this.refreshTimer);
    this.refreshTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000);
    }
    this.queued = [];
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    if (!this.deps.isOnline()) {
      this.status.set({ kind: "offline" });
      return;
    }
    this.status.set({ kind: "connecting" });
    const conversationId = this.chat.get().conversationId;
    if (conversationId !== null) {
      try {
        const messages = await this.deps.fetchHistory(conversationId);
        if (generation !== this.generation) return;
        this.chat.update((s) => loadHistory(s, conversationId, messages));
      } catch (error) {
        if (generation !== this.generation) return;
        if (error instanceof HistoryGone) {
          this.status.set({ kind: "closed", code: 4004, reason: FINAL_CLOSES[4004] ?? "" });
          return;
        }
        this.retry(null);
        return;
      }
    }
    const { protocol, host } = this.deps.location;
    const url = `${protocol === "https:" ? "wss:" : "ws:"}//${host}${socketPath(this.subject, conversationId)}`;
    const token = this.deps.auth?.current();
    const socket = this.deps.createSocket(
      url,
      token ? ["opencontracts.jwt.v1", token.token] : undefined,
    );
    this.socket = socket;
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (generation === this.generation) this.closed(event.code);
    };
    if (token) this.scheduleRefresh(token.expiresAt);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return;
    }
    this.queued.push(frame);
    if (frame.type === "ASYNC_CONTENT") {
      if (!this.frameScheduled) {
        this.frameScheduled = true;
        this.deps.nextFrame(() => {
          this.frameScheduled = false;
          this.flushQueued();
        });
      }
      return;
    }
    if (frame.type === "SYNC_STATE") {
      this.attempt = 0;
      this.status.set({ kind: "open" });
    }
    this.flushQueued();
  }

  private flushQueued(): void {
    if (!this.queued.length) return;
    const frames = this.queued;
    this.queued = [];
    this.chat.update((s) => applyFrames(s, frames));
    this.sendOutbox();
  }

  private sendOutbox(): void {
    const outbox = this.chat.get().outbox;
    if (!outbox.length) return;
    this.chat.update(drainOutbox);
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return; // SYNC_STATE of the next socket redoes it
    for (const frame of outbox) socket.send(JSON.stringify(frame satisfies ClientFrame));
  }

  private closed(code: number): void {
    this.flushQueued();
    this.socket = null;
    this.chat.update(disconnected);
    if (this.disposed) return;
    const final = FINAL_CLOSES[code];
    if (final !== undefined) {
      this.status.set({ kind: "closed", code, reason: final });
      return;
    }
    if (code === TOKEN_EXPIRED && this.deps.auth) {
      this.status.set({ kind: "connecting" });
      const generation = this.generation;
      void this.deps.auth.refresh().then((fresh) => {
        if (generation !== this.generation) return;
        if (fresh) void this.connect();
        else this.status.set({ kind: "closed", code, reason: "Your sign-in expired. Sign in again." });
      });
      return;
    }
    this.retry(code);
  }

  private retry(code: number | null): void {
    if (!this.deps.isOnline()) {
      this.status.set({ kind: "offline" });
      return;
    }
    const delay = backoffDelay(this.attempt, code, this.deps.random);
    this.attempt += 1;
    this.status.set({ kind: "reconnecting", retryAt: this.deps.now() + delay, code });
    this.retryTimer = this.deps.setTimer(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private scheduleRefresh(expiresAt: number): void {
    const auth = this.deps.auth;
    if (!auth) return;
    const delay = Math.max(0, expiresAt - this.deps.now() - REFRESH_BEFORE_EXPIRY_MS);
    const generation = this.generation;
    this.refreshTimer = this.deps.setTimer(() => {
      void auth.refresh().then((fresh) => {
        if (!fresh || generation !== this.generation) return;
        this.socket?.send(JSON.stringify({ type: "AUTH", token: fresh.token } satisfies ClientFrame));
        this.scheduleRefresh(fresh.expiresAt);
      });
    }, delay);
  }
}

/** fetchHistory throws this when the conversation is gone (404): no point retrying. */
export class HistoryGone extends Error {}
