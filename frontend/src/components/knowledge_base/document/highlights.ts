// The viewer's side of the highlight contract (state/viewer.ts): which sources it draws, which
// "Go to passage" request it still has to carry out, and how a source is named and keyed.
import { useAtomValue } from "jotai";
import { useCallback, useMemo, useState } from "react";

import type { AnnotationOut } from "../../../api/types";
import { focusRequestAtom, highlightedSourcesAtom, type FocusRequest } from "../../../state/viewer";
import type { Source } from "../../../types/protocol";

export function sourceKey(source: Source): string {
  return `${source.annotation_id}:${source.char_start}-${source.char_end}`;
}

export function sourceLabel(source: Source): string {
  const words = source.rawText.replace(/\s+/g, " ").trim();
  const preview = words.length > 80 ? `${words.slice(0, 80)}…` : words;
  return `Highlighted passage, page ${source.page}: ${preview}`;
}

export function sourceOfAnnotation(annotation: AnnotationOut, corpusId?: number): Source {
  return {
    annotation_id: annotation.id,
    document_id: annotation.document_id,
    corpus_id: corpusId ?? null,
    page: annotation.page,
    char_start: annotation.char_start,
    char_end: annotation.char_end,
    rawText: annotation.raw_text,
    json: Array.isArray(annotation.json) ? {} : annotation.json,
    label: annotation.structural ? "" : annotation.label, // every structural one is a "passage"
    score: 1,
  };
}

export interface ViewerHighlights {
  /** What to draw: the highlighted sources of this document, plus the one asked to be shown. */
  sources: Source[];
  /** The key of the source last asked to be shown (drawn stronger). */
  activeKey: string | null;
  /** A "Go to passage" this viewer has not carried out yet (also one set before it mounted). */
  pending: FocusRequest | null;
  /** Call once the pending request is carried out (scrolled, centred, focused). */
  settle: () => void;
}

export function useViewerHighlights(documentId: number): ViewerHighlights {
  const highlighted = useAtomValue(highlightedSourcesAtom);
  const request = useAtomValue(focusRequestAtom);
  const [handledAt, setHandledAt] = useState<number | null>(null);
  const forThis = request && request.source.document_id === documentId ? request : null;
  const activeKey = forThis ? sourceKey(forThis.source) : null;

  const sources = useMemo(() => {
    const list = highlighted.filter((s) => s.document_id === documentId);
    if (forThis && !list.some((s) => sourceKey(s) === activeKey)) list.push(forThis.source);
    return list;
  }, [highlighted, documentId, forThis, activeKey]);

  const requestedAt = forThis?.requestedAt ?? null;
  const settle = useCallback(() => setHandledAt(requestedAt), [requestedAt]);
  const pending = forThis && forThis.requestedAt !== handledAt ? forThis : null;
  return { sources, activeKey, pending, settle };
}

/** Scroll `container` so that `target` sits in its middle, then give `target` keyboard focus. */
export function centreAndFocus(container: HTMLElement, target: HTMLElement): void {
  const box = container.getBoundingClientRect();
  const rect = target.getBoundingClientRect();
  container.scrollBy({
    top: rect.top + rect.height / 2 - (box.top + box.height / 2),
    left: rect.left + rect.width / 2 - (box.left + box.width / 2),
  });
  target.focus({ preventScroll: true });
}
