import { act, cleanup, renderHook } from "@testing-library/react";
import { createStore, Provider } from "jotai";
import type { ReactNode } from "react";
import { afterEach, expect, test } from "vitest";

import { focusRequestAtom, highlightedSourcesAtom } from "../../../state/viewer";
import type { Source } from "../../../types/protocol";
import { sourceKey, useViewerHighlights } from "./highlights";

afterEach(cleanup);

function source(documentId: number, annotationId: number): Source {
  return {
    annotation_id: annotationId,
    document_id: documentId,
    corpus_id: 3,
    page: 1,
    char_start: 10,
    char_end: 20,
    rawText: "the renewal clause",
    json: {},
    label: "",
    score: 0.9,
  };
}

function mount(store: ReturnType<typeof createStore>, documentId: number) {
  const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
  return renderHook(() => useViewerHighlights(documentId), { wrapper });
}

test("a go-to request set before the viewer mounts is carried out once, and drawn", () => {
  const store = createStore();
  const cited = source(5, 1);
  store.set(focusRequestAtom, { source: cited, requestedAt: 1 }); // the corpus chat, then navigation
  const { result } = mount(store, 5);
  expect(result.current.pending?.source).toEqual(cited);
  expect(result.current.sources).toEqual([cited]);
  expect(result.current.activeKey).toBe(sourceKey(cited));
  act(() => result.current.settle());
  expect(result.current.pending).toBeNull();
  expect(result.current.sources).toEqual([cited]); // still drawn after the scroll
  act(() => store.set(focusRequestAtom, { source: cited, requestedAt: 2 })); // the same source again
  expect(result.current.pending?.requestedAt).toBe(2);
});

test("requests and highlights of other documents are ignored", () => {
  const store = createStore();
  store.set(highlightedSourcesAtom, [source(5, 1), source(6, 2)]);
  store.set(focusRequestAtom, { source: source(6, 2), requestedAt: 1 });
  const { result } = mount(store, 5);
  expect(result.current.pending).toBeNull();
  expect(result.current.sources.map((s) => s.annotation_id)).toEqual([1]);
});
