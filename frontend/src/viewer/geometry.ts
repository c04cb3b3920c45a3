// Passage boxes arrive in PDF points from the top-left of the page as shown (its CropBox, after
// /Rotate), with that page's width and height (see the backend's ingestion/extraction.py).
// Here they become CSS pixels on a page rendered at any size: scale each axis by the rendered
// page's size over the page's own size. Nothing else: no offsets, no flips, no scale guessing.
import type { Source } from "../types/protocol";

/** [x0, top, x1, bottom] in PDF points from the shown page's top-left corner. */
export type PdfBox = [number, number, number, number];

export interface PageBoxes {
  page: number;
  width: number;
  height: number;
  bounds: PdfBox | null;
  words: PdfBox[];
}

export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

function isBox(value: unknown): value is PdfBox {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((n) => typeof n === "number" && Number.isFinite(n))
  );
}

/** The PDF pages a source's `json` describes; entries that are not well-formed are skipped. */
export function pageBoxesOf(source: Pick<Source, "json">): PageBoxes[] {
  const pages = (source.json as { pages?: unknown }).pages;
  if (!Array.isArray(pages)) return [];
  const out: PageBoxes[] = [];
  for (const entry of pages) {
    if (typeof entry !== "object" || entry === null) continue;
    const { page, width, height, bounds, words } = entry as Record<string, unknown>;
    if (typeof page !== "number" || typeof width !== "number" || typeof height !== "number") {
      continue;
    }
    if (width <= 0 || height <= 0) continue;
    out.push({
      page,
      width,
      height,
      bounds: isBox(bounds) ? bounds : null,
      words: Array.isArray(words) ? words.filter(isBox) : [],
    });
  }
  return out;
}

/** A box in PDF points as CSS pixels on a page rendered `renderedWidth` x `renderedHeight`. */
export function scaleBox(
  box: PdfBox,
  page: Pick<PageBoxes, "width" | "height">,
  renderedWidth: number,
  renderedHeight: number,
): PixelRect {
  const sx = renderedWidth / page.width;
  const sy = renderedHeight / page.height;
  const [x0, top, x1, bottom] = box;
  return {
    left: Math.min(x0, x1) * sx,
    top: Math.min(top, bottom) * sy,
    width: Math.abs(x1 - x0) * sx,
    height: Math.abs(bottom - top) * sy,
  };
}

/** The smallest box around `boxes` (the passage's outline when `bounds` is missing). */
export function unionBox(boxes: PdfBox[]): PdfBox | null {
  if (boxes.length === 0) return null;
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

/** The page a source is best shown on: its first page with boxes, else its `page`. */
export function firstPageOf(source: Source): number {
  return pageBoxesOf(source).find((p) => p.words.length > 0 || p.bounds)?.page ?? source.page;
}
