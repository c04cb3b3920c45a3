// The shape of one chat's state: what the reducer (reducer.ts) builds from server frames and from
// the stored history, and what the components read (one store entry per message, so a token
// changes one entry and re-renders one message).
import type {
  ClientFrame,
  FrameUser,
  PendingToolCall,
  Source,
  TimelineEntry,
  Usage,
} from "../types/protocol";

/** Where an answer is: "sending" only for a question the server has not started yet. */
export type AnswerStatus =
  | "streaming"
  | "awaiting_approval"
  | "completed"
  | "cancelled"
  | "error"
  | "interrupted";

export interface QuestionEntry {
  kind: "question";
  key: string;
  /** The stored HUMAN message, null while the server has not started the turn. */
  id: number | null;
  text: string;
  sending: boolean;
}

export interface Decision {
  decision: "approved" | "rejected";
  call: PendingToolCall | null;
}

export interface AnswerEntry {
  kind: "answer";
  key: string;
  messageId: number;
  /** The question it answers ("Try again" sends it again). */
  question: string;
  content: string;
  status: AnswerStatus;
  /** The last seq applied; frames at or below it are duplicates. */
  lastSeq: number;
  /** False when the content came from a checkpoint over HTTP: its seq is unknown, so a resume
   * must start from 0 with the text reset (or it would double). */
  seqKnown: boolean;
  /** The after_seq of the RESUME_STREAM already asked for (one request per gap). */
  resumeAfter: number | null;
  sources: Source[];
  timeline: TimelineEntry[];
  usage: Usage | null;
  pending: PendingToolCall | null;
  decision: Decision | null;
  error: { message: string; code: string } | null;
}

export type Entry = QuestionEntry | AnswerEntry;

/** A refusal or limit shown above the composer (the question's text is given back as `draft`). */
export interface Notice {
  message: string;
  code: string;
  /** Seconds to wait (rate limits). */
  retryAfter: number | null;
  draft: string | null;
  /** Distinguishes two equal notices (the composer restores a draft once per notice). */
  serial: number;
}

export interface ChatState {
  conversationId: number | null;
  user: FrameUser | null;
  model: string | null;
  /** Keys in display order; changes only when a message is added or removed. */
  order: string[];
  entries: Record<string, Entry>;
  /** A question sent but not yet started (resent with the same client_id after a reconnect). */
  pendingQuery: { text: string; clientId: string } | null;
  /** The turn that runs or waits (what STOP stops). */
  activeMessageId: number | null;
  pendingApproval: { messageId: number; call: PendingToolCall } | null;
  notice: Notice | null;
  /** For the status region: "Answer started", "Answer finished" … */
  announcement: string;
  /** Frames the connection must send (RESUME_STREAM, queries); it drains them after each step. */
  outbox: ClientFrame[];
  /** SYNC_STATE received on the current socket. */
  synced: boolean;
}

export function emptyChat(conversationId: number | null = null): ChatState {
  return {
    conversationId,
    user: null,
    model: null,
    order: [],
    entries: {},
    pendingQuery: null,
    activeMessageId: null,
    pendingApproval: null,
    notice: null,
    announcement: "",
    outbox: [],
    synced: false,
  };
}

export const answerKey = (messageId: number) => `a:${messageId}`;
export const questionKey = (messageId: number) => `q:${messageId}`;
export const pendingKey = (clientId: string) => `p:${clientId}`;

export function newAnswer(messageId: number, question: string): AnswerEntry {
  return {
    kind: "answer",
    key: answerKey(messageId),
    messageId,
    question,
    content: "",
    status: "streaming",
    lastSeq: 0,
    seqKnown: true,
    resumeAfter: null,
    sources: [],
    timeline: [],
    usage: null,
    pending: null,
    decision: null,
    error: null,
  };
}

export const isRunning = (status: AnswerStatus) =>
  status === "streaming" || status === "awaiting_approval";
