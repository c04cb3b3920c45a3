import { describe, expect, it } from "vitest";

import { call, f, source, syncState, thought } from "./frames.test-helpers";
import { loadHistory, type StoredMessage } from "./history";
import { applyFrame, applyFrames, askQuestion, decide, requestStop } from "./reducer";
import { type AnswerEntry, type ChatState, emptyChat } from "./state";

const M = 11;

function answer(state: ChatState, m = M): AnswerEntry {
  const entry = state.entries[`a:${m}`];
  if (entry?.kind !== "answer") throw new Error(`no answer ${m}`);
  return entry;
}

function asked(): ChatState {
  const synced = applyFrame(emptyChat(), syncState({ conversation_id: null }));
  return { ...askQuestion(synced, "What is the rent?", "c-1"), outbox: [] };
}

function stored(
  id: number,
  msgType: "HUMAN" | "LLM",
  content: string,
  state = "completed",
  data: Record<string, unknown> = {},
): StoredMessage {
  return {
    id,
    msg_type: msgType,
    content,
    state,
    data,
    conversation_id: 5,
    created: "2026-12-01T09:00:00Z",
    modified: "2026-12-01T09:00:00Z",
    creator: "demo",
  };
}

describe("applyFrame: a turn", () => {
  it("builds the answer from its frames, and FINISH replaces the text", () => {
    const s = applyFrames(asked(), [
      f.start(M),
      f.thought(M, 2),
      f.sources(M, 3, [source(1)]),
      f.content(M, 4, "The rent "),
      f.content(M, 5, "is $10 [1]."),
    ]);
    expect(s.order).toEqual(["q:10", "a:11"]);
    expect(s.entries["q:10"]).toMatchObject({ text: "What is the rent?", sending: false });
    expect(answer(s)).toMatchObject({ content: "The rent is $10 [1].", status: "streaming", lastSeq: 5 });
    expect(answer(s).timeline).toEqual([
      thought,
      { type: "sources", count: 1, text: "1 source(s) found", tool: null, args: null },
    ]);
    expect(s.conversationId).toBe(5);
    expect(s.pendingQuery).toBeNull();
    expect(s.activeMessageId).toBe(M);
    const done = applyFrame(s, f.finish(M, 6, "The rent is $10 [1].", "completed", [source(1)]));
    expect(answer(done)).toMatchObject({ status: "completed", content: "The rent is $10 [1]." });
    expect(answer(done).usage?.cost_usd).toBe(0.002);
    expect(done.activeMessageId).toBeNull();
    expect(done.announcement).toBe("Answer finished");
  });

  it("drops duplicates by (message_id, seq)", () => {
    const s = applyFrames(asked(), [
      f.start(M),
      f.content(M, 2, "a"),
      f.content(M, 2, "a"),
      f.content(M, 3, "b"),
      f.content(M, 2, "a"),
      f.start(M),
    ]);
    expect(answer(s).content).toBe("ab");
    expect(s.order).toEqual(["q:10", "a:11"]);
  });

  it("asks once for what follows a gap, and fills it from the replay", () => {
    let s = applyFrames(asked(), [f.start(M), f.content(M, 2, "a"), f.content(M, 4, "c")]);
    expect(answer(s).content).toBe("a");
    expect(s.outbox).toEqual([{ type: "RESUME_STREAM", message_id: M, after_seq: 2 }]);
    s = applyFrame({ ...s, outbox: [] }, f.content(M, 5, "d"));
    expect(s.outbox).toEqual([]); // still the same gap: no second request
    s = applyFrames(s, [f.content(M, 3, "b"), f.content(M, 4, "c"), f.content(M, 5, "d")]);
    expect(answer(s)).toMatchObject({ content: "abcd", lastSeq: 5, resumeAfter: null });
  });

  it("a frame of a turn it never saw start asks for the whole turn", () => {
    const s = applyFrame(applyFrame(emptyChat(5), syncState()), f.content(M, 7, "late"));
    expect(answer(s).content).toBe("");
    expect(s.outbox).toEqual([{ type: "RESUME_STREAM", message_id: M, after_seq: 0 }]);
  });

  it("ends cancelled with the partial text kept, and error with the code", () => {
    const base = applyFrames(asked(), [f.start(M), f.content(M, 2, "par")]);
    const stopped = applyFrame(base, f.finish(M, 3, "par", "cancelled"));
    expect(answer(stopped)).toMatchObject({ status: "cancelled", content: "par" });
    expect(stopped.announcement).toBe("Answer stopped");
    const failed = applyFrame(base, f.error(M, 3));
    expect(answer(failed)).toMatchObject({
      status: "error",
      content: "par",
      error: { message: "The model failed.", code: "agent_error" },
    });
    expect(failed.activeMessageId).toBeNull();
    expect(answer(applyFrame(base, f.error(M, 3, "interrupted"))).status).toBe("interrupted");
  });

  it("pauses for approval and continues after the decision", () => {
    let s = applyFrames(asked(), [f.start(M), f.content(M, 2, "I will add it."), f.approvalNeeded(M, 3)]);
    expect(answer(s)).toMatchObject({ status: "awaiting_approval", pending: { name: "add_document_note" } });
    expect(s.pendingApproval?.messageId).toBe(M);
    expect(decide(s, M, true).outbox).toEqual([{ approval_decision: true, llm_message_id: M }]);
    s = applyFrames(s, [f.approvalResult(M, 4, "approved"), f.resume(M, 5), f.content(M, 6, " Done.")]);
    expect(s.pendingApproval).toBeNull();
    expect(answer(s)).toMatchObject({
      status: "streaming",
      pending: null,
      decision: { decision: "approved" },
      content: "I will add it. Done.",
    });
  });

  it("STOP goes to the running turn only", () => {
    expect(requestStop(asked()).outbox).toEqual([]);
    const running = applyFrame(asked(), f.start(M));
    expect(requestStop(running).outbox).toEqual([{ type: "STOP", message_id: M }]);
  });
});

describe("applyFrame: questions refused", () => {
  it("gives the question back on a refusal and drops its bubble", () => {
    const s = applyFrame(asked(), f.refused("turn_running", "A turn is already running."));
    expect(s.order).toEqual([]);
    expect(s.notice).toMatchObject({ code: "turn_running", draft: "What is the rent?" });
  });

  it("a rate limit carries the retry time", () => {
    const s = applyFrame(asked(), f.rateLimited(42));
    expect(s.notice).toMatchObject({ code: "rate_limited", retryAfter: 42, draft: "What is the rent?" });
  });

  it("a refusal unrelated to a question is a notice only", () => {
    const s = applyFrame(applyFrame(emptyChat(5), syncState()), f.refused("not_awaiting_approval"));
    expect(s.notice).toMatchObject({ code: "not_awaiting_approval", draft: null });
  });
});

describe("SYNC_STATE: reconnect and reload", () => {
  it("after a reconnect resumes from the last seq it has", () => {
    const s = applyFrames(asked(), [f.start(M), f.content(M, 2, "ab")]);
    const again = applyFrame({ ...s, synced: false }, syncState({ active_message_id: M, last_seq: 9 }));
    expect(again.outbox).toEqual([{ type: "RESUME_STREAM", message_id: M, after_seq: 2 }]);
    expect(answer(again).content).toBe("ab");
  });

  it("after a reload replays from 0 with the checkpointed text reset (no doubling)", () => {
    const history = [stored(10, "HUMAN", "What is the rent?"), stored(M, "LLM", "The re", "in_progress")];
    let s = loadHistory(emptyChat(5), 5, history);
    expect(answer(s)).toMatchObject({ content: "The re", seqKnown: false, question: "What is the rent?" });
    s = applyFrame(s, syncState({ active_message_id: M, last_seq: 3 }));
    expect(s.outbox).toEqual([{ type: "RESUME_STREAM", message_id: M, after_seq: 0 }]);
    expect(answer(s).content).toBe("");
    s = applyFrames({ ...s, outbox: [] }, [
      f.start(M),
      f.content(M, 2, "The re"),
      f.content(M, 3, "nt is $10."),
      f.finish(M, 4, "The rent is $10."),
    ]);
    expect(s.order).toEqual(["q:10", "a:11"]);
    expect(answer(s)).toMatchObject({ content: "The rent is $10.", status: "completed" });
  });

  it("an answer that finished while we were away is fetched by replay", () => {
    const s = applyFrames(asked(), [f.start(M), f.content(M, 2, "ab")]);
    const again = applyFrame(s, syncState());
    expect(again.outbox).toEqual([{ type: "RESUME_STREAM", message_id: M, after_seq: 2 }]);
    expect(again.activeMessageId).toBeNull();
  });

  it("shows a pending approval from SYNC_STATE (a second tab, a reload)", () => {
    const history = [
      stored(10, "HUMAN", "add a note: renew"),
      stored(M, "LLM", "I will add a note.", "awaiting_approval", {
        pending_tool_call: { name: "add_document_note", arguments: {}, tool_call_id: "t" },
        last_seq: 3,
      }),
    ];
    const fresh = applyFrame(
      emptyChat(5),
      syncState({ pending_approval: { message_id: M, pending_tool_call: call }, last_seq: 3 }),
    );
    expect(fresh.pendingApproval?.messageId).toBe(M);
    expect(answer(fresh)).toMatchObject({ status: "awaiting_approval", lastSeq: 3 });

    let s = loadHistory(emptyChat(5), 5, history);
    s = applyFrame(s, syncState({ pending_approval: { message_id: M, pending_tool_call: call }, last_seq: 3 }));
    expect(s.outbox).toEqual([]);
    expect(s.pendingApproval?.messageId).toBe(M);
    expect(s.activeMessageId).toBe(M);
    // The other tab decides: its frames reach us live, continuing the seq.
    s = applyFrames(s, [f.approvalResult(M, 4, "rejected"), f.resume(M, 5), f.finish(M, 6, "I will add a note. Not added.")]);
    expect(s.pendingApproval).toBeNull();
    expect(answer(s)).toMatchObject({ status: "completed", decision: { decision: "rejected" } });
  });

  it("resends an unconfirmed question with the same client_id", () => {
    const s = applyFrame({ ...asked(), synced: false }, syncState({ conversation_id: null }));
    expect(s.outbox).toEqual([{ query: "What is the rent?", client_id: "c-1" }]);
  });
});

describe("loadHistory", () => {
  it("renders stored answers like live ones: sources, timeline, usage, states", () => {
    const usage = { requests: 1, input_tokens: 1, output_tokens: 2, total_tokens: 3, cost_usd: null };
    const s = loadHistory(emptyChat(5), 5, [
      stored(1, "HUMAN", "q1"),
      stored(2, "LLM", "a [1]", "completed", { sources: [source(1)], timeline: [thought], usage, last_seq: 6 }),
      stored(3, "HUMAN", "q2"),
      stored(4, "LLM", "part", "error", { error: "Server restarted.", error_code: "interrupted" }),
      stored(5, "HUMAN", "q3"),
      stored(6, "LLM", "pa", "cancelled"),
    ]);
    expect(s.order).toEqual(["q:1", "a:2", "q:3", "a:4", "q:5", "a:6"]);
    expect(answer(s, 2)).toMatchObject({ sources: [source(1)], timeline: [thought], usage, lastSeq: 6, question: "q1" });
    expect(answer(s, 4)).toMatchObject({ status: "interrupted", error: { code: "interrupted" } });
    expect(answer(s, 6).status).toBe("cancelled");
  });

  it("keeps the live entry of an answer the socket is following", () => {
    const live = applyFrames(asked(), [f.start(M), f.content(M, 2, "live text")]);
    const s = loadHistory(live, 5, [stored(10, "HUMAN", "What is the rent?"), stored(M, "LLM", "li", "in_progress")]);
    expect(answer(s).content).toBe("live text");
    expect(s.order).toEqual(["q:10", "a:11"]);
  });
});
