// What both chats are made of: the conversation list, the one thread, the one composer and the
// one approval dialog over the one connection hook. ChatTray and CorpusChat only place it and
// decide what a citation does.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";

import { api } from "../../../api/client";
import { writableByAgents } from "../../../api/queries";
import type { Subject } from "../../../chat/connection";
import { askQuestion, decide, dismissNotice, requestStop } from "../../../chat/reducer";
import { answerKey } from "../../../chat/state";
import { useStore } from "../../../chat/store";
import { useChatConnection } from "../../../chat/useChatConnection";
import type { Source } from "../../../types/protocol";
import { ApprovalDialog } from "./ApprovalDialog";
import { ChatThread } from "./ChatThread";
import { Composer } from "./Composer";
import { ConnectionBadge } from "./ConnectionBadge";
import { ConversationList, conversationsKey } from "./ConversationList";
import { ModelBadge } from "./ModelBadge";
import "./chat.css";

export interface ChatPanelProps {
  subject: Subject;
  /** From the URL (`?conversation=`); null: a new chat. */
  conversationId: number | null;
  onConversationChange: (id: number | null) => void;
  /** A pin or a source was chosen; `sources` are all of that answer's sources. */
  onCite: (source: Source, sources: Source[]) => void;
  /** May this user write here (the document's or corpus's can_write)? */
  canWrite: boolean;
  /** The chat region's accessible name ("Document chat", "Corpus chat"). */
  label: string;
  title: string;
  placeholder: string;
  suggestions: string[];
  layout: "tray" | "full";
  /** An extra control in the header (the corpus chat's "Full screen"). */
  headerAction?: ReactNode;
}

export function newClientId(): string {
  return crypto.randomUUID();
}

export function ChatPanel(props: ChatPanelProps) {
  const { subject, conversationId, onConversationChange, onCite, canWrite, layout } = props;
  const connection = useChatConnection(subject, conversationId);
  const client = useQueryClient();
  const chat = connection.chat;
  const liveConversation = useStore(chat, (s) => s.conversationId);
  const user = useStore(chat, (s) => s.user);
  const model = useStore(chat, (s) => s.model);
  const activeId = useStore(chat, (s) => s.activeMessageId);
  const pendingQuery = useStore(chat, (s) => s.pendingQuery);
  const pendingApproval = useStore(chat, (s) => s.pendingApproval);
  const notice = useStore(chat, (s) => s.notice);
  const status = useStore(connection.status, (s) => s.kind);
  const [dismissed, setDismissed] = useState<number | null>(null);
  // The conversation list: a sidebar in full screen, an overlay in the tray (until toggled).
  const [listToggled, setListToggled] = useState<{ layout: string; open: boolean } | null>(null);
  const listOpen = listToggled?.layout === layout ? listToggled.open : layout === "full";
  const setListOpen = (open: boolean) => setListToggled({ layout, open });

  // The first question of a new chat created its conversation: put it in the URL and the list.
  useEffect(() => {
    if (liveConversation !== null && liveConversation !== conversationId) {
      onConversationChange(liveConversation);
      void client.invalidateQueries({ queryKey: ["conversations"] });
    }
    // Only a change of the socket's conversation matters here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [liveConversation]);

  // An answer ended: the list's titles and counts may have changed (the server titles a new chat),
  // and an approved write may have added a note or a passage, or set a summary.
  const lastActive = useRef<number | null>(null);
  useEffect(() => {
    const ended = lastActive.current;
    lastActive.current = activeId;
    if (activeId === null && liveConversation !== null) {
      void client.invalidateQueries({ queryKey: ["conversations"] });
      void client.invalidateQueries({ queryKey: ["conversation", liveConversation] });
    }
    const entry = activeId === null && ended !== null ? chat.get().entries[answerKey(ended)] : undefined;
    if (entry?.kind === "answer" && entry.decision?.decision === "approved") {
      for (const queryKey of writableByAgents) void client.invalidateQueries({ queryKey });
    }
  }, [activeId, liveConversation, client, chat]);

  const conversation = useQuery({
    queryKey: ["conversation", liveConversation],
    enabled: liveConversation !== null,
    queryFn: async () => {
      const { data } = await api.GET("/api/conversations/{conversation_id}", {
        params: { path: { conversation_id: liveConversation ?? 0 } },
      });
      return data ?? null;
    },
  });
  const mayWrite =
    user !== null && (conversation.data ? conversation.data.can_write : canWrite || liveConversation === null);

  const allSourcesOf = useCallback(
    (source: Source) => {
      const state = chat.get();
      for (const key of state.order) {
        const entry = state.entries[key];
        if (entry?.kind === "answer" && entry.sources.includes(source)) return entry.sources;
      }
      return [source];
    },
    [chat],
  );
  const cite = useCallback(
    (source: Source) => onCite(source, allSourcesOf(source)),
    [onCite, allSourcesOf],
  );
  const ask = useCallback(
    (text: string) => connection.dispatch((s) => askQuestion(s, text, newClientId())),
    [connection],
  );
  const review = useCallback((id: number) => setDismissed((d) => (d === id ? null : d)), []);

  const connected = status === "open";
  const running = activeId !== null || pendingQuery !== null;
  const blockedReason =
    status === "closed"
      ? "The chat is closed."
      : !connected
        ? "Waiting for the connection…"
        : user === null
          ? "Sign in to ask questions."
          : !mayWrite
            ? "You can read this conversation but not add to it."
            : pendingApproval
              ? "Decide on the proposed change first (or stop it)."
              : null;

  const empty = (
    <div className="chat-empty">
      <h3>{props.title}</h3>
      <p className="muted">Answers quote the text and cite their sources; click a number to see the passage.</p>
      {mayWrite && connected && props.suggestions.length > 0 && (
        <ul className="suggestions" aria-label="Suggested questions">
          {props.suggestions.map((s) => (
            <li key={s}>
              <button type="button" className="suggestion" onClick={() => ask(s)}>
                {s}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );

  const scope = subject;
  return (
    <section className={`chat chat-${layout}`} aria-label={props.label}>
      <header className="chat-head">
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={listOpen}
          aria-controls="chat-conversations"
          onClick={() => setListOpen(!listOpen)}
        >
          ☰ Chats
        </button>
        <h2 className="chat-title">{conversation.data?.title || props.title}</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => onConversationChange(null)}
          disabled={liveConversation === null && conversationId === null}
        >
          + New
        </button>
        {props.headerAction}
      </header>
      <div className="chat-meta">
        <ConnectionBadge connection={connection} />
        <ModelBadge model={model} />
      </div>
      <div className="chat-body">
        {listOpen && (
          <div id="chat-conversations" className="chat-list">
            <ConversationList
              scope={scope}
              currentId={liveConversation}
              onOpen={(id) => {
                onConversationChange(id);
                if (layout === "tray") setListOpen(false);
              }}
              onNew={() => {
                onConversationChange(null);
                if (layout === "tray") setListOpen(false);
              }}
              onDeleted={(id) => {
                if (id === liveConversation) onConversationChange(null);
                void client.invalidateQueries({ queryKey: conversationsKey(scope) });
              }}
            />
          </div>
        )}
        <div className="chat-main">
          <ChatThread
            connection={connection}
            empty={empty}
            onCite={cite}
            onRetry={ask}
            onReviewApproval={review}
          />
          <Composer
            placeholder={props.placeholder}
            running={running}
            blockedReason={running ? null : blockedReason}
            canStop={activeId !== null && mayWrite && connected}
            notice={notice}
            onSend={ask}
            onStop={() => connection.dispatch(requestStop)}
            onDismissNotice={() => connection.dispatch(dismissNotice)}
          />
        </div>
      </div>
      <ApprovalDialog
        call={pendingApproval?.call ?? null}
        open={pendingApproval !== null && dismissed !== pendingApproval.messageId}
        canDecide={mayWrite}
        connected={connected}
        onDecide={(approve) => {
          if (pendingApproval) connection.dispatch((s) => decide(s, pendingApproval.messageId, approve));
        }}
        onDismiss={() => setDismissed(pendingApproval?.messageId ?? null)}
      />
    </section>
  );
}
