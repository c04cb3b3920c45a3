import { expect, test } from "vitest";

import { zoomIn, zoomOut } from "./zoom";

test("zooming steps at least 5% from a fitted scale, and stops at the ends", () => {
  expect(zoomIn(0.898)).toBe(1);
  expect(zoomIn(0.99)).toBe(1.1);
  expect(zoomOut(1.04)).toBe(0.9);
  expect(zoomIn(3)).toBe(3);
  expect(zoomOut(0.5)).toBe(0.5);
});
