import { expect, test } from "vitest";

import type { Source } from "../types/protocol";
import { firstPageOf, pageBoxesOf, scaleBox, unionBox } from "./geometry";

function source(json: Record<string, unknown>, page = 1): Source {
  return {
    annotation_id: 1,
    document_id: 1,
    corpus_id: null,
    page,
    char_start: 0,
    char_end: 1,
    rawText: "x",
    json,
    label: "",
    score: 1,
  };
}

test("a box on a Letter page rendered at 150% lands at 1.5x its point coordinates", () => {
  const rect = scaleBox([72, 100, 144, 112], { width: 612, height: 792 }, 918, 1188);
  expect(rect).toEqual({ left: 108, top: 150, width: 108, height: 18 });
});

test("each page scales by its own size: a cropped page fills the same width differently", () => {
  // the demo page (612 pt wide) and a page cropped to 500 x 600 pt, both fit to 800 px width
  const full = scaleBox([100, 100, 200, 120], { width: 612, height: 792 }, 800, (800 * 792) / 612);
  const cropped = scaleBox([100, 100, 200, 120], { width: 500, height: 600 }, 800, 960);
  expect(full.left).toBeCloseTo(130.72, 2);
  expect(cropped.left).toBeCloseTo(160, 6);
  expect(cropped.top).toBeCloseTo(160, 6);
  expect(cropped.height).toBeCloseTo(32, 6);
});

test("a rotated page (landscape after /Rotate 90) scales x by its width and y by its height", () => {
  // 612 x 792 portrait turned: shown 792 wide, 612 high; rendered at 0.5
  const rect = scaleBox([578, 103, 592, 152], { width: 792, height: 612 }, 396, 306);
  expect(rect).toEqual({ left: 289, top: 51.5, width: 7, height: 24.5 });
});

test("reversed corners still give a positive rectangle", () => {
  expect(scaleBox([20, 30, 10, 10], { width: 100, height: 100 }, 100, 100)).toEqual({
    left: 10,
    top: 10,
    width: 10,
    height: 20,
  });
});

test("page boxes are read defensively from a source's json", () => {
  const boxes = pageBoxesOf(
    source({
      start: 0,
      end: 5,
      pages: [
        { page: 2, width: 500, height: 600, bounds: [1, 2, 3, 4], words: [[1, 2, 3, 4], "bad"] },
        { page: 3, width: 0, height: 600, words: [] },
        "garbage",
      ],
    }),
  );
  expect(boxes).toEqual([
    { page: 2, width: 500, height: 600, bounds: [1, 2, 3, 4], words: [[1, 2, 3, 4]] },
  ]);
  expect(pageBoxesOf(source({ start: 0, end: 5 }))).toEqual([]);
});

test("the union of word boxes outlines a passage without bounds", () => {
  expect(
    unionBox([
      [10, 20, 30, 32],
      [5, 40, 25, 52],
    ]),
  ).toEqual([5, 20, 30, 52]);
  expect(unionBox([])).toBeNull();
});

test("a source is shown on its first page with boxes", () => {
  const s = source({ pages: [{ page: 4, width: 1, height: 1, bounds: [0, 0, 1, 1], words: [] }] }, 3);
  expect(firstPageOf(s)).toBe(4);
  expect(firstPageOf(source({}, 3))).toBe(3);
});
