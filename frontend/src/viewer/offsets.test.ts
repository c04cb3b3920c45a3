import { expect, test } from "vitest";

import { codePointToUtf16, utf16Range } from "./offsets";

test("without characters outside the BMP, offsets are unchanged (accents included)", () => {
  const text = "Café déjà vu — naïve";
  const convert = codePointToUtf16(text);
  expect(convert(0)).toBe(0);
  expect(convert(5)).toBe(5);
  expect(text.slice(convert(5), convert(9))).toBe("déjà");
});

test("combining accents are code points on both sides, so they do not shift offsets", () => {
  const text = "Cafe\u0301 open"; // e + COMBINING ACUTE ACCENT
  const convert = codePointToUtf16(text);
  expect(text.slice(convert(6), convert(10))).toBe("open");
});

test("a range after an emoji is shifted by the emoji's second UTF-16 unit", () => {
  const text = "Hi 😀 there, the renewal clause.";
  // Python's text.index("renewal") is 16: the emoji counts as one character
  const range = utf16Range(codePointToUtf16(text), 16, 23);
  expect(text.slice(range.start, range.end)).toBe("renewal");
  expect(range.start).toBe(17);
});

test("several emoji, including a family sequence of several code points", () => {
  const text = "👨‍👩‍👧 and 🎉🎉 then target";
  // code points before "target": 5 (family) + 5 (" and ") + 2 (🎉🎉) + 6 (" then ") = 18
  const cpTarget = 18;
  const range = utf16Range(codePointToUtf16(text), cpTarget, cpTarget + 6);
  expect(text.slice(range.start, range.end)).toBe("target");
});

test("offsets past the end are clamped, and an inverted range becomes empty", () => {
  const text = "ab😀";
  const convert = codePointToUtf16(text);
  expect(convert(99)).toBe(text.length);
  expect(utf16Range(convert, 2, 1)).toEqual({ start: 2, end: 2 });
});
