// Stored messages (GET /api/conversations/{id}/messages) into the same entries the frames build,
// so a reloaded answer renders exactly like a live one.
import type { components } from "../types/api";
import type { PendingToolCall, Source, TimelineEntry, Usage } from "../types/protocol";
import {
  answerKey,
  type AnswerEntry,
  type AnswerStatus,
  type ChatState,
  type Decision,
  type Entry,
  isRunning,
  newAnswer,
  questionKey,
} from "./state";

export type StoredMessage = components["schemas"]["MessageOut"];

interface StoredData {
  sources?: Source[];
  timeline?: TimelineEntry[];
  usage?: Usage;
  pending_tool_call?: PendingToolCall;
  approval?: { decision?: string; pending_tool_call?: PendingToolCall | null };
  error?: string;
  error_code?: string;
  last_seq?: number;
}

function status(message: StoredMessage, data: StoredData): AnswerStatus {
  switch (message.state) {
    case "awaiting_approval":
      return "awaiting_approval";
    case "completed":
      return "completed";
    case "cancelled":
      return "cancelled";
    case "error":
      return data.error_code === "interrupted" ? "interrupted" : "error";
    default:
      return "streaming";
  }
}

function decision(data: StoredData): Decision | null {
  const d = data.approval?.decision;
  if (d !== "approved" && d !== "rejected") return null;
  return { decision: d, call: data.approval?.pending_tool_call ?? null };
}

export function storedAnswer(message: StoredMessage, question: string): AnswerEntry {
  const data = message.data as StoredData;
  const state = status(message, data);
  return {
    ...newAnswer(message.id, question),
    content: message.content,
    status: state,
    // A running turn's text is a checkpoint of unknown seq; a paused or finished one is whole.
    lastSeq: state === "streaming" ? 0 : (data.last_seq ?? 0),
    seqKnown: state !== "streaming",
    sources: data.sources ?? [],
    timeline: data.timeline ?? [],
    usage: data.usage ?? null,
    pending: state === "awaiting_approval" ? (data.pending_tool_call ?? null) : null,
    decision: decision(data),
    error:
      state === "error" || state === "interrupted"
        ? { message: data.error ?? "The answer failed.", code: data.error_code ?? "error" }
        : null,
  };
}

/** Merge the stored history into the state: stored messages in their order, then anything only
 * the socket knows; an answer the socket is following keeps its live entry. */
export function loadHistory(
  state: ChatState,
  conversationId: number,
  messages: readonly StoredMessage[],
): ChatState {
  const entries: Record<string, Entry> = {};
  const order: string[] = [];
  let question = "";
  for (const message of messages) {
    if (message.msg_type === "HUMAN") {
      const key = questionKey(message.id);
      question = message.content;
      entries[key] = { kind: "question", key, id: message.id, text: message.content, sending: false };
      order.push(key);
    } else if (message.msg_type === "LLM") {
      const key = answerKey(message.id);
      const live = state.entries[key];
      const following = live?.kind === "answer" && live.seqKnown && isRunning(live.status);
      entries[key] = following ? live : storedAnswer(message, question);
      order.push(key);
    }
  }
  for (const key of state.order) {
    if (entries[key]) continue;
    const entry = state.entries[key];
    if (entry) {
      entries[key] = entry;
      order.push(key);
    }
  }
  const pending = Object.values(entries).find(
    (e): e is AnswerEntry => e.kind === "answer" && e.status === "awaiting_approval",
  );
  return {
    ...state,
    conversationId,
    entries,
    order,
    pendingApproval:
      state.pendingApproval ??
      (pending?.pending ? { messageId: pending.messageId, call: pending.pending } : null),
  };
}
