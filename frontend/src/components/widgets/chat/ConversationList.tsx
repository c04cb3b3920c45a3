// The conversations about one document or corpus: newest first, title search, date filter, more
// on scroll, "New chat", rename and (soft) delete. An untitled conversation shows its first
// question until the server titles it.
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { api } from "../../../api/client";
import type { components } from "../../../types/api";

type Conversation = components["schemas"]["ConversationOut"];
const PAGE_SIZE = 20;

export type ConversationScope = { documentId: number; corpusId?: number | null } | { corpusId: number };

const DATE_FILTERS = {
  any: { label: "Any time", days: null },
  week: { label: "Past 7 days", days: 7 },
  month: { label: "Past 30 days", days: 30 },
} as const;
type DateFilter = keyof typeof DATE_FILTERS;

export function conversationsKey(scope: ConversationScope) {
  return ["conversations", scope] as const;
}

function since(filter: DateFilter): string | undefined {
  const days = DATE_FILTERS[filter].days;
  if (days === null) return undefined;
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

/** Its title; until the server titles it, the start of its first question. */
export function conversationTitle(conversation: Conversation): string {
  if (conversation.title) return conversation.title;
  const firstQuestion = conversation.first_question?.trim();
  if (firstQuestion) return firstQuestion.length > 80 ? `${firstQuestion.slice(0, 79)}…` : firstQuestion;
  return conversation.message_count > 0 ? "Untitled conversation" : "New conversation";
}

interface Props {
  scope: ConversationScope;
  currentId: number | null;
  onOpen: (id: number) => void;
  onNew: () => void;
  onDeleted: (id: number) => void;
}

export function ConversationList({ scope, currentId, onOpen, onNew, onDeleted }: Props) {
  const [search, setSearch] = useState("");
  const [dateFilter, setDateFilter] = useState<DateFilter>("any");
  const sentinel = useRef<HTMLLIElement>(null);
  const query = useInfiniteQuery({
    queryKey: [...conversationsKey(scope), search, dateFilter],
    initialPageParam: 1,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET("/api/conversations", {
        params: {
          query: {
            page: pageParam,
            page_size: PAGE_SIZE,
            document_id: "documentId" in scope ? scope.documentId : undefined,
            corpus_id: scope.corpusId ?? undefined,
            search: search || undefined,
            created_after: since(dateFilter),
          },
        },
      });
      if (!data) throw new Error(error?.message ?? "Could not load the conversations.");
      return data;
    },
    getNextPageParam: (last) => (last.page * last.page_size < last.count ? last.page + 1 : undefined),
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver((seen) => {
      if (seen.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A document chat lists only its own (not its in-corpus) conversations, and vice versa.
  const items = (query.data?.pages.flatMap((p) => p.items) ?? []).filter((c) =>
    "documentId" in scope ? (c.corpus_id ?? null) === (scope.corpusId ?? null) : c.document_id === null,
  );

  return (
    <nav className="conversations" aria-label="Conversations">
      <div className="conversations-head">
        <button type="button" className="btn btn-primary btn-block" onClick={onNew}>
          + New chat
        </button>
        <input
          type="search"
          className="input"
          aria-label="Search conversations by title"
          placeholder="Search titles…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select
          className="input"
          aria-label="Created"
          value={dateFilter}
          onChange={(e) => setDateFilter(e.target.value as DateFilter)}
        >
          {Object.entries(DATE_FILTERS).map(([key, { label }]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {query.isError && (
        <p role="alert" className="error-text">
          {query.error.message}{" "}
          <button type="button" className="btn-link" onClick={() => void query.refetch()}>
            Try again
          </button>
        </p>
      )}
      <ul className="conversation-items">
        {items.map((c) => (
          <ConversationItem
            key={c.id}
            conversation={c}
            current={c.id === currentId}
            scope={scope}
            onOpen={onOpen}
            onDeleted={onDeleted}
          />
        ))}
        {query.isSuccess && items.length === 0 && (
          <li className="muted">{search || dateFilter !== "any" ? "No conversation matches." : "No conversations yet."}</li>
        )}
        <li ref={sentinel} aria-hidden="true" className="sentinel">
          {isFetchingNextPage ? "Loading…" : ""}
        </li>
      </ul>
    </nav>
  );
}

function Icon({ path }: { path: string }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d={path} />
    </svg>
  );
}

function ConversationItem({
  conversation,
  current,
  scope,
  onOpen,
  onDeleted,
}: {
  conversation: Conversation;
  current: boolean;
  scope: ConversationScope;
  onOpen: (id: number) => void;
  onDeleted: (id: number) => void;
}) {
  const client = useQueryClient();
  const title = conversationTitle(conversation);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(title);
  const refresh = () => client.invalidateQueries({ queryKey: conversationsKey(scope) });
  const rename = useMutation({
    mutationFn: async (newTitle: string) => {
      const { error } = await api.PATCH("/api/conversations/{conversation_id}", {
        params: { path: { conversation_id: conversation.id } },
        body: { title: newTitle },
      });
      if (error) throw new Error(error.message);
    },
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async () => {
      const { error } = await api.DELETE("/api/conversations/{conversation_id}", {
        params: { path: { conversation_id: conversation.id } },
      });
      if (error) throw new Error(error.message);
    },
    onSuccess: () => {
      onDeleted(conversation.id);
      void refresh();
    },
  });
  const created = new Date(conversation.created);

  if (editing) {
    return (
      <li className="conversation editing">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) rename.mutate(draft.trim());
          }}
        >
          <input
            className="input"
            aria-label="New title"
            value={draft}
            maxLength={255}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") setEditing(false);
            }}
          />
          <button type="submit" className="btn btn-small" disabled={!draft.trim() || rename.isPending}>
            Save
          </button>
          <button type="button" className="btn btn-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {rename.isError && <p role="alert" className="error-text">{rename.error.message}</p>}
        </form>
      </li>
    );
  }
  return (
    <li className={current ? "conversation current" : "conversation"}>
      <button
        type="button"
        className="conversation-open"
        aria-current={current ? "true" : undefined}
        onClick={() => onOpen(conversation.id)}
      >
        <span className="conversation-title">{title}</span>
        <time dateTime={conversation.created} className="muted">
          {created.toLocaleDateString(undefined, { day: "numeric", month: "short" })}{" "}
          {created.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}
        </time>
      </button>
      {conversation.can_write && (
        <span className="conversation-actions">
          <button
            type="button"
            className="btn-icon"
            aria-label={`Rename “${title}”`}
            onClick={() => {
              setDraft(title);
              setEditing(true);
            }}
          >
            <Icon path="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" />
          </button>
          <button
            type="button"
            className="btn-icon"
            aria-label={`Delete “${title}”`}
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete “${title}”?`)) remove.mutate();
            }}
          >
            <Icon path="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13" />
          </button>
        </span>
      )}
      {remove.isError && <p role="alert" className="error-text">{remove.error.message}</p>}
    </li>
  );
}
