// What the document viewer shows highlighted, written by whoever wants a passage shown (the
// annotations panel today, the chat's citations next). The viewer owns scrolling: it reacts to
// `focusRequestAtom` by mounting the page, waiting for its render, centring the passage and moving
// keyboard focus to it.
import { atom } from "jotai";

import type { Source } from "../types/protocol";

/** Passages drawn as highlights in the open document. */
export const highlightedSourcesAtom = atom<Source[]>([]);

/** "Go to passage": a new object (even for the same source) asks the viewer to scroll again. */
export interface FocusRequest {
  source: Source;
  requestedAt: number;
}
export const focusRequestAtom = atom<FocusRequest | null>(null);
