import { expect, test } from "vitest";

import { segments } from "./segments";

test("text without ranges is one run", () => {
  expect(segments(0, 10, [])).toEqual([{ start: 0, end: 10, keys: [] }]);
});

test("overlapping ranges split the text where either starts or ends", () => {
  const runs = segments(0, 20, [
    { key: "a", start: 2, end: 10 },
    { key: "b", start: 6, end: 14 },
  ]);
  expect(runs).toEqual([
    { start: 0, end: 2, keys: [] },
    { start: 2, end: 6, keys: ["a"] },
    { start: 6, end: 10, keys: ["a", "b"] },
    { start: 10, end: 14, keys: ["b"] },
    { start: 14, end: 20, keys: [] },
  ]);
});

test("a window into the text only cuts ranges that reach into it", () => {
  expect(segments(10, 20, [{ key: "a", start: 0, end: 15 }, { key: "z", start: 30, end: 40 }])).toEqual([
    { start: 10, end: 15, keys: ["a"] },
    { start: 15, end: 20, keys: [] },
  ]);
});
