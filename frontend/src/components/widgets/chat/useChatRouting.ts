// The chat's URL state and what a citation does: `?conversation=` names the open conversation (a
// reload reopens it), and a citation hands the passage to the viewer through the viewer atoms.
import { useQuery } from "@tanstack/react-query";
import { useSetAtom } from "jotai";
import { useCallback } from "react";
import { useSearchParams } from "react-router";

import { api } from "../../../api/client";
import { focusRequestAtom, highlightedSourcesAtom } from "../../../state/viewer";
import type { Source } from "../../../types/protocol";
import { suggestQuestions } from "./suggestions";

export function useConversationParam(): [number | null, (id: number | null) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get("conversation");
  const id = raw && /^\d+$/.test(raw) ? Number(raw) : null;
  const set = useCallback(
    (next: number | null) => {
      setParams(
        (current) => {
          const copy = new URLSearchParams(current);
          if (next === null) copy.delete("conversation");
          else copy.set("conversation", String(next));
          return copy;
        },
        { replace: false },
      );
    },
    [setParams],
  );
  return [id, set];
}

/** Show a cited passage: highlight that answer's passages in its document and scroll to this one. */
export function useShowPassage(): (source: Source, sources: Source[]) => void {
  const setHighlights = useSetAtom(highlightedSourcesAtom);
  const setFocus = useSetAtom(focusRequestAtom);
  return useCallback(
    (source, sources) => {
      setHighlights(sources.filter((s) => s.document_id === source.document_id));
      setFocus({ source, requestedAt: Date.now() });
    },
    [setHighlights, setFocus],
  );
}

export function useDocumentSuggestions(documentId: number, title: string): string[] {
  const outline = useQuery({
    queryKey: ["outline", documentId],
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const { data } = await api.GET("/api/documents/{document_id}/annotations", {
        params: { path: { document_id: documentId }, query: { structural: true, page_size: 60 } },
      });
      return data?.items.map((a) => a.raw_text) ?? [];
    },
  });
  return suggestQuestions(title, outline.data ?? []);
}
