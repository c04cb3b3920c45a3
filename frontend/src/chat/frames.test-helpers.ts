// Frame builders for the unit tests (shaped exactly like the generated protocol types).
import type {
  PendingToolCall,
  RefusalCode,
  ServerFrame,
  Source,
  SyncStateData,
  TimelineEntry,
  TurnErrorCode,
} from "../types/protocol";

export const call: PendingToolCall = {
  name: "add_document_note",
  arguments: { content: "Renew by March" },
  tool_call_id: "call-1",
};

export function source(n: number, documentId = 7): Source {
  return {
    annotation_id: 100 + n,
    document_id: documentId,
    corpus_id: null,
    page: n,
    char_start: 10 * n,
    char_end: 10 * n + 5,
    rawText: `passage ${n}`,
    json: {},
    label: "",
    score: 1,
  };
}

export const thought: TimelineEntry = {
  type: "tool_call",
  text: "Searching the document",
  tool: "search_document",
  args: { query: "rent" },
  count: null,
};

export const syncState = (data: Partial<SyncStateData> = {}): ServerFrame => ({
  type: "SYNC_STATE",
  content: "",
  data: {
    conversation_id: 5,
    user: { id: 1, username: "demo" },
    active_message_id: null,
    last_seq: null,
    pending_approval: null,
    model: "offline-extractive",
    ...data,
  },
});

const stamp = (m: number, seq: number) => ({ message_id: m, seq });

export const f = {
  start: (m: number, seq = 1, question = "What is the rent?"): ServerFrame => ({
    type: "ASYNC_START",
    content: question,
    data: { ...stamp(m, seq), conversation_id: 5, user_message_id: m - 1 },
  }),
  thought: (m: number, seq: number): ServerFrame => ({
    type: "ASYNC_THOUGHT",
    content: thought.text,
    data: { ...stamp(m, seq), tool_name: thought.tool, args: thought.args, entry: thought },
  }),
  content: (m: number, seq: number, text: string): ServerFrame => ({
    type: "ASYNC_CONTENT",
    content: text,
    data: stamp(m, seq),
  }),
  sources: (m: number, seq: number, sources: Source[]): ServerFrame => ({
    type: "ASYNC_SOURCES",
    content: "",
    data: { ...stamp(m, seq), sources },
  }),
  approvalNeeded: (m: number, seq: number): ServerFrame => ({
    type: "ASYNC_APPROVAL_NEEDED",
    content: "",
    data: { ...stamp(m, seq), pending_tool_call: call },
  }),
  approvalResult: (m: number, seq: number, decision: "approved" | "rejected"): ServerFrame => ({
    type: "ASYNC_APPROVAL_RESULT",
    content: "",
    data: { ...stamp(m, seq), decision, pending_tool_call: call },
  }),
  resume: (m: number, seq: number): ServerFrame => ({
    type: "ASYNC_RESUME",
    content: "",
    data: stamp(m, seq),
  }),
  finish: (
    m: number,
    seq: number,
    text: string,
    state: "completed" | "cancelled" = "completed",
    sources: Source[] = [],
  ): ServerFrame => ({
    type: "ASYNC_FINISH",
    content: text,
    data: {
      ...stamp(m, seq),
      state,
      sources,
      timeline: [thought],
      usage: { requests: 1, input_tokens: 10, output_tokens: 5, total_tokens: 15, cost_usd: 0.002 },
    },
  }),
  error: (m: number, seq: number, code: TurnErrorCode = "agent_error"): ServerFrame => ({
    type: "ASYNC_ERROR",
    content: "",
    data: { ...stamp(m, seq), error: "The model failed.", error_code: code },
  }),
  refused: (code: RefusalCode, error = "Refused."): ServerFrame => ({
    type: "SYNC_CONTENT",
    content: "",
    data: { error, error_code: code, message_id: null, token_expires_at: null },
  }),
  rateLimited: (retryAfter: number): ServerFrame => ({
    type: "RATE_LIMITED",
    content: "",
    data: { error: "Too many questions.", error_code: "rate_limited", retry_after: retryAfter },
  }),
};
