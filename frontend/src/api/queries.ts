// Every read of the HTTP API, as React Query hooks (caching, retries, invalidation, polling).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "./client";
import { ApiFailure, unwrap } from "./errors";
import type { AnnotationOut, DocumentOut, NoteOut } from "./types";

const POLL_WHILE_PENDING_MS = 1500;

export const keys = {
  session: ["session"] as const,
  corpora: (search: string) => ["corpora", search] as const,
  corpus: (id: number) => ["corpus", id] as const,
  documents: (corpusId: number | undefined, search: string) =>
    ["documents", corpusId ?? null, search] as const,
  document: (id: number) => ["document", id] as const,
  documentText: (id: number) => ["document-text", id] as const,
  annotations: (id: number) => ["annotations", id] as const,
  notes: (id: number) => ["notes", id] as const,
};

/** What an approved agent write may have changed: refetched when such a turn ends. */
export const writableByAgents = [["notes"], ["annotations"], ["document"]] as const;

/** Do not retry what retrying cannot fix (a 4xx says the request itself is wrong). */
function retry(count: number, error: unknown): boolean {
  if (error instanceof ApiFailure && error.status >= 400 && error.status < 500) return false;
  return count < 2;
}

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async () => unwrap(await api.GET("/api/auth/session")),
    staleTime: 60_000,
    retry,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: { username: string; password: string }) =>
      unwrap(await api.POST("/api/auth/session", { body: credentials })),
    onSuccess: (session) => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
      client.setQueryData(keys.session, session);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/auth/session")),
    onSuccess: async () => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
      await client.invalidateQueries({ queryKey: keys.session });
    },
  });
}

export function useCorpora(search: string) {
  return useQuery({
    queryKey: keys.corpora(search),
    queryFn: async () =>
      unwrap(await api.GET("/api/corpuses", { params: { query: { search, page_size: 100 } } })),
    retry,
  });
}

export function useCorpus(id: number, enabled = true) {
  return useQuery({
    queryKey: keys.corpus(id),
    enabled,
    queryFn: async () =>
      unwrap(await api.GET("/api/corpuses/{corpus_id}", { params: { path: { corpus_id: id } } })),
    retry,
  });
}

export function useCreateCorpus() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { title: string; description: string }) =>
      unwrap(await api.POST("/api/corpuses", { body: { ...body, is_public: false, llm_model: "" } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["corpora"] }),
  });
}

const hasPending = (documents: DocumentOut[] | undefined) =>
  documents?.some((d) => d.status === "pending") ?? false;

/** Documents of a corpus (or all readable ones), polled while any of them is being ingested. */
export function useDocuments(corpusId: number | undefined, search: string) {
  return useQuery({
    queryKey: keys.documents(corpusId, search),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/documents", {
          params: { query: { corpus_id: corpusId ?? null, search, page_size: 100 } },
        }),
      ),
    refetchInterval: (query) =>
      hasPending(query.state.data?.items) ? POLL_WHILE_PENDING_MS : false,
    retry,
  });
}

/** One document, polled while it is pending (its ingestion status changes without a reload). */
export function useDocument(id: number | undefined) {
  return useQuery({
    queryKey: keys.document(id ?? 0),
    enabled: id !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/documents/{document_id}", {
          params: { path: { document_id: id ?? 0 } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.status === "pending" ? POLL_WHILE_PENDING_MS : false,
    retry,
  });
}

export function useDocumentText(id: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.documentText(id),
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/documents/{document_id}/text", {
          params: { path: { document_id: id } },
        }),
      ),
    staleTime: Infinity,
    retry,
  });
}

/** Every item of a paged list, page after page until its count is reached. */
async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; count: number }>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const batch = await fetchPage(page);
    all.push(...batch.items);
    if (batch.items.length === 0 || all.length >= batch.count) return all;
  }
}

/** A document's notes, newest first, with who wrote them (an agent's: who approved it). */
export function useNotes(id: number) {
  return useQuery({
    queryKey: keys.notes(id),
    queryFn: () =>
      allPages<NoteOut>(async (page) =>
        unwrap(
          await api.GET("/api/documents/{document_id}/notes", {
            params: { path: { document_id: id }, query: { page, page_size: 100 } },
          }),
        ),
      ),
    staleTime: 60_000,
    retry,
  });
}

/** Every annotation of a document, in reading order (all pages of the list). */
export function useAnnotations(id: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.annotations(id),
    enabled,
    queryFn: () =>
      allPages<AnnotationOut>(async (page) =>
        unwrap(
          await api.GET("/api/documents/{document_id}/annotations", {
            params: { path: { document_id: id }, query: { page, page_size: 100 } },
          }),
        ),
      ),
    staleTime: 60_000,
    retry,
  });
}
