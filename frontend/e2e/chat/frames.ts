// Server frames for scripted sockets (page.routeWebSocket), shaped like the generated types.
import type { ServerFrame, Source } from "../../src/types/protocol";

export const M = 901;
const stamp = (seq: number) => ({ message_id: M, seq });

export const frames = {
  sync: (): ServerFrame => ({
    type: "SYNC_STATE",
    content: "",
    data: {
      conversation_id: null,
      user: { id: 1, username: "demo" },
      active_message_id: null,
      last_seq: null,
      pending_approval: null,
      model: "scripted:test",
    },
  }),
  start: (question: string): ServerFrame => ({
    type: "ASYNC_START",
    content: question,
    data: { ...stamp(1), conversation_id: null, user_message_id: M - 1 },
  }),
  content: (seq: number, text: string): ServerFrame => ({
    type: "ASYNC_CONTENT",
    content: text,
    data: stamp(seq),
  }),
  sources: (seq: number, sources: Source[]): ServerFrame => ({
    type: "ASYNC_SOURCES",
    content: "",
    data: { ...stamp(seq), sources },
  }),
  finish: (seq: number, text: string, sources: Source[] = []): ServerFrame => ({
    type: "ASYNC_FINISH",
    content: text,
    data: {
      ...stamp(seq),
      state: "completed",
      sources,
      timeline: [],
      usage: { requests: 1, input_tokens: 3, output_tokens: 4, total_tokens: 7, cost_usd: null },
    },
  }),
  error: (seq: number): ServerFrame => ({
    type: "ASYNC_ERROR",
    content: "",
    data: { ...stamp(seq), error: "The model provider timed out.", error_code: "agent_error" },
  }),
};

export function source(documentId: number, rawText: string): Source {
  return {
    annotation_id: 1,
    document_id: documentId,
    corpus_id: null,
    page: 1,
    char_start: 0,
    char_end: rawText.length,
    rawText,
    json: {},
    label: "",
    score: 1,
  };
}
