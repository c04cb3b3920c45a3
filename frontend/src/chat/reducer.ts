// The one pure reducer: server frames (and the few local actions) in, a new ChatState out. The
// socket, replay, history and every test go through it. It never touches the network: frames the
// client must send in answer (RESUME_STREAM after a gap or a reconnect, a resent query) are put
// in `state.outbox` for the connection to send.
import type {
  AsyncApprovalNeededFrame,
  AsyncApprovalResultFrame,
  AsyncContentFrame,
  AsyncErrorFrame,
  AsyncFinishFrame,
  AsyncResumeFrame,
  AsyncSourcesFrame,
  AsyncStartFrame,
  AsyncThoughtFrame,
  ClientFrame,
  RateLimitedFrame,
  ServerFrame,
  SyncContentFrame,
  SyncStateFrame,
} from "../types/protocol";
import {
  answerKey,
  type AnswerEntry,
  type ChatState,
  isRunning,
  newAnswer,
  type Notice,
  pendingKey,
  questionKey,
} from "./state";

type TurnFrame =
  | AsyncStartFrame
  | AsyncThoughtFrame
  | AsyncContentFrame
  | AsyncSourcesFrame
  | AsyncApprovalNeededFrame
  | AsyncApprovalResultFrame
  | AsyncResumeFrame
  | AsyncFinishFrame
  | AsyncErrorFrame;

/** Refusals of a question: the question did not start, so its text goes back to the composer. */
const QUERY_REFUSALS = new Set([
  "empty_query",
  "query_too_long",
  "turn_running",
  "approval_pending",
  "forbidden",
  "invalid_frame",
]);

let noticeSerial = 0;

export function applyFrame(state: ChatState, frame: ServerFrame): ChatState {
  switch (frame.type) {
    case "SYNC_STATE":
      return syncState(state, frame);
    case "SYNC_CONTENT":
      return syncContent(state, frame);
    case "RATE_LIMITED":
      return rateLimited(state, frame);
    case "ASYNC_START":
    case "ASYNC_THOUGHT":
    case "ASYNC_CONTENT":
    case "ASYNC_SOURCES":
    case "ASYNC_APPROVAL_NEEDED":
    case "ASYNC_APPROVAL_RESULT":
    case "ASYNC_RESUME":
    case "ASYNC_FINISH":
    case "ASYNC_ERROR":
      return turnFrame(state, frame);
    default:
      return unreachable(frame);
  }
}

export function applyFrames(state: ChatState, frames: readonly ServerFrame[]): ChatState {
  return frames.reduce(applyFrame, state);
}

function unreachable(frame: never): never {
  throw new Error(`unhandled frame ${JSON.stringify(frame)}`);
}

// --- connection-level frames ---------------------------------------------------------------

function resumeFrame(messageId: number, afterSeq: number): ClientFrame {
  return { type: "RESUME_STREAM", message_id: messageId, after_seq: afterSeq };
}

/** Ask for the rest of a turn: after what we have, or from 0 (text reset) if our seq is unknown. */
function resumeEntry(entry: AnswerEntry, outbox: ClientFrame[]): AnswerEntry {
  const afterSeq = entry.seqKnown ? entry.lastSeq : 0;
  outbox.push(resumeFrame(entry.messageId, afterSeq));
  if (entry.seqKnown) return { ...entry, resumeAfter: afterSeq };
  return {
    ...entry,
    content: "",
    sources: [],
    timeline: [],
    lastSeq: 0,
    seqKnown: true,
    resumeAfter: 0,
  };
}

function syncState(state: ChatState, frame: SyncStateFrame): ChatState {
  const data = frame.data;
  const entries = { ...state.entries };
  const order = [...state.order];
  const outbox = [...state.outbox];
  const pending = data.pending_approval;

  const ensure = (messageId: number): AnswerEntry => {
    const key = answerKey(messageId);
    const existing = entries[key];
    if (existing?.kind === "answer") return existing;
    const created = { ...newAnswer(messageId, ""), seqKnown: false };
    order.push(key);
    return created;
  };

  if (pending) {
    const entry = ensure(pending.message_id);
    entries[entry.key] = {
      ...entry,
      status: "awaiting_approval",
      pending: pending.pending_tool_call,
      // The stored pause holds the whole text so far: its seq is the server's last_seq.
      lastSeq: entry.seqKnown ? entry.lastSeq : (data.last_seq ?? entry.lastSeq),
      seqKnown: true,
    };
  }
  if (data.active_message_id !== null && data.active_message_id !== pending?.message_id) {
    const entry = ensure(data.active_message_id);
    entries[entry.key] = resumeEntry({ ...entry, status: "streaming", pending: null }, outbox);
  }
  // Turns we saw running that the server no longer runs ended while we were away: replaying
  // them returns their final frame (rebuilt from the database if the frames expired).
  for (const key of order) {
    const entry = entries[key];
    if (entry?.kind !== "answer" || !isRunning(entry.status)) continue;
    if (entry.messageId === data.active_message_id || entry.messageId === pending?.message_id) {
      continue;
    }
    entries[key] = resumeEntry({ ...entry, pending: null }, outbox);
  }
  // A question sent on the lost socket: the same client_id makes the resend idempotent.
  if (state.pendingQuery) {
    outbox.push({ query: state.pendingQuery.text, client_id: state.pendingQuery.clientId });
  }
  return {
    ...state,
    conversationId: data.conversation_id ?? state.conversationId,
    user: data.user,
    model: data.model,
    entries,
    order,
    outbox,
    activeMessageId: pending?.message_id ?? data.active_message_id,
    pendingApproval: pending
      ? { messageId: pending.message_id, call: pending.pending_tool_call }
      : null,
    synced: true,
  };
}

function notice(
  message: string,
  code: string,
  retryAfter: number | null,
  draft: string | null,
): Notice {
  noticeSerial += 1;
  return { message, code, retryAfter, draft, serial: noticeSerial };
}

/** The pending question was refused: drop its bubble and hand its text back. */
function refuseQuery(state: ChatState, message: string, code: string, retryAfter: number | null) {
  const pendingQuery = state.pendingQuery;
  if (!pendingQuery) return { ...state, notice: notice(message, code, retryAfter, null) };
  const key = pendingKey(pendingQuery.clientId);
  const entries = withoutKey(state.entries, key);
  return {
    ...state,
    entries,
    order: state.order.filter((k) => k !== key),
    pendingQuery: null,
    notice: notice(message, code, retryAfter, pendingQuery.text),
  };
}

function syncContent(state: ChatState, frame: SyncContentFrame): ChatState {
  const { error, error_code: code } = frame.data;
  if (!error) return state; // an AUTH acknowledgement
  if (state.pendingQuery && code && QUERY_REFUSALS.has(code)) {
    return refuseQuery(state, error, code, null);
  }
  return { ...state, notice: notice(error, code ?? "error", null, null) };
}

function rateLimited(state: ChatState, frame: RateLimitedFrame): ChatState {
  return refuseQuery(state, frame.data.error, frame.data.error_code, frame.data.retry_after);
}

// --- frames of a turn -----------------------------------------------------------------------

function turnFrame(state: ChatState, frame: TurnFrame): ChatState {
  const { message_id: messageId, seq } = frame.data;
  const key = answerKey(messageId);
  let next = state;
  let entry = state.entries[key];
  if (frame.type === "ASYNC_START") {
    next = startTurn(state, frame);
    entry = next.entries[key];
  }
  if (entry?.kind !== "answer") {
    // A turn we never saw start (we joined late): fetch it whole.
    const created = { ...newAnswer(messageId, ""), resumeAfter: 0 };
    return {
      ...next,
      order: [...next.order, key],
      entries: { ...next.entries, [key]: created },
      outbox: [...next.outbox, resumeFrame(messageId, 0)],
      activeMessageId: messageId,
    };
  }
  if (seq <= entry.lastSeq) return next; // a duplicate (replay overlapping live frames)
  if (seq > entry.lastSeq + 1) {
    // A gap: ask once for what follows the last frame we have; drop this one (it comes again).
    if (entry.resumeAfter === entry.lastSeq) return next;
    return {
      ...next,
      entries: { ...next.entries, [key]: { ...entry, resumeAfter: entry.lastSeq } },
      outbox: [...next.outbox, resumeFrame(messageId, entry.lastSeq)],
    };
  }
  const applied = applyTurnFrame({ ...entry, lastSeq: seq, resumeAfter: null }, frame);
  next = { ...next, entries: { ...next.entries, [key]: applied } };
  return afterTurnFrame(next, applied, frame);
}

function startTurn(state: ChatState, frame: AsyncStartFrame): ChatState {
  const { message_id: messageId, user_message_id: userMessageId } = frame.data;
  const aKey = answerKey(messageId);
  const qKey = questionKey(userMessageId);
  if (state.entries[aKey]) {
    // Replayed from seq 1 (after a reload or a resend): the question is already shown.
    return state;
  }
  const entries = { ...state.entries };
  let order = [...state.order];
  let pendingQuery = state.pendingQuery;
  const question = frame.content || pendingQuery?.text || "";
  if (!entries[qKey]) {
    entries[qKey] = { kind: "question", key: qKey, id: userMessageId, text: question, sending: false };
    const pKey = pendingQuery ? pendingKey(pendingQuery.clientId) : null;
    const at = pKey ? order.indexOf(pKey) : -1;
    if (pKey && at >= 0) {
      order[at] = qKey;
      Reflect.deleteProperty(entries, pKey);
    } else {
      order.push(qKey);
    }
  }
  if (pendingQuery) pendingQuery = null;
  entries[aKey] = { ...newAnswer(messageId, question), lastSeq: 0 };
  order = [...order.filter((k) => k !== aKey), aKey];
  return {
    ...state,
    entries,
    order,
    pendingQuery,
    conversationId: frame.data.conversation_id ?? state.conversationId,
    activeMessageId: messageId,
    notice: null,
  };
}

function applyTurnFrame(entry: AnswerEntry, frame: TurnFrame): AnswerEntry {
  switch (frame.type) {
    case "ASYNC_START":
      return { ...entry, status: "streaming" };
    case "ASYNC_THOUGHT":
      return { ...entry, timeline: [...entry.timeline, frame.data.entry] };
    case "ASYNC_CONTENT":
      return { ...entry, content: entry.content + frame.content };
    case "ASYNC_SOURCES": {
      const count = frame.data.sources.length;
      return {
        ...entry,
        sources: [...entry.sources, ...frame.data.sources],
        timeline: [
          ...entry.timeline,
          { type: "sources", count, text: `${count} source(s) found`, tool: null, args: null },
        ],
      };
    }
    case "ASYNC_APPROVAL_NEEDED":
      return { ...entry, status: "awaiting_approval", pending: frame.data.pending_tool_call };
    case "ASYNC_APPROVAL_RESULT":
      return {
        ...entry,
        status: "streaming",
        pending: null,
        decision: { decision: frame.data.decision, call: frame.data.pending_tool_call },
      };
    case "ASYNC_RESUME":
      return { ...entry, status: "streaming" };
    case "ASYNC_FINISH":
      return {
        ...entry,
        status: frame.data.state,
        content: frame.content,
        sources: frame.data.sources,
        timeline: frame.data.timeline,
        usage: frame.data.usage,
        pending: null,
      };
    case "ASYNC_ERROR":
      return {
        ...entry,
        status: frame.data.error_code === "interrupted" ? "interrupted" : "error",
        pending: null,
        error: { message: frame.data.error, code: frame.data.error_code },
      };
    default:
      return unreachable(frame);
  }
}

function afterTurnFrame(state: ChatState, entry: AnswerEntry, frame: TurnFrame): ChatState {
  const mine = state.activeMessageId === entry.messageId;
  switch (frame.type) {
    case "ASYNC_START":
      return { ...state, announcement: "Answer started" };
    case "ASYNC_APPROVAL_NEEDED":
      return {
        ...state,
        activeMessageId: entry.messageId,
        pendingApproval: { messageId: entry.messageId, call: frame.data.pending_tool_call },
        announcement: "The assistant asks for your approval",
      };
    case "ASYNC_APPROVAL_RESULT":
      return {
        ...state,
        pendingApproval:
          state.pendingApproval?.messageId === entry.messageId ? null : state.pendingApproval,
        announcement: frame.data.decision === "approved" ? "Approved" : "Rejected",
      };
    case "ASYNC_FINISH":
    case "ASYNC_ERROR":
      return {
        ...state,
        activeMessageId: mine ? null : state.activeMessageId,
        pendingApproval:
          state.pendingApproval?.messageId === entry.messageId ? null : state.pendingApproval,
        announcement:
          entry.status === "completed"
            ? "Answer finished"
            : entry.status === "cancelled"
              ? "Answer stopped"
              : "Answer failed",
      };
    default:
      return state;
  }
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

// --- local actions --------------------------------------------------------------------------

/** The user asks: a "sending" bubble until ASYNC_START, and the frame in the outbox. */
export function askQuestion(state: ChatState, text: string, clientId: string): ChatState {
  const key = pendingKey(clientId);
  return {
    ...state,
    order: [...state.order, key],
    entries: {
      ...state.entries,
      [key]: { kind: "question", key, id: null, text, sending: true },
    },
    pendingQuery: { text, clientId },
    notice: null,
    outbox: [...state.outbox, { query: text, client_id: clientId }],
  };
}

export function requestStop(state: ChatState): ChatState {
  if (state.activeMessageId === null) return state;
  return { ...state, outbox: [...state.outbox, { type: "STOP", message_id: state.activeMessageId }] };
}

export function decide(state: ChatState, messageId: number, approve: boolean): ChatState {
  return {
    ...state,
    outbox: [...state.outbox, { approval_decision: approve, llm_message_id: messageId }],
  };
}

export function drainOutbox(state: ChatState): ChatState {
  return state.outbox.length ? { ...state, outbox: [] } : state;
}

/** The socket closed: SYNC_STATE of the next one decides what to resume. */
export function disconnected(state: ChatState): ChatState {
  return { ...state, synced: false, outbox: [] };
}

export function dismissNotice(state: ChatState): ChatState {
  return state.notice ? { ...state, notice: null } : state;
}
