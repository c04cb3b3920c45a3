import { expect, test, type Page } from "@playwright/test";

import {
  annotationsOf,
  DEMO_CORPUS,
  DEMO_PDF,
  highlightCoverage,
  newCorpus,
  oddPagesPdf,
  shot,
  signIn,
  upload,
  uploadRow,
  type Annotation,
} from "./support";

/** Clicks the passage in the side panel; the viewer must centre it and focus its highlight. */
async function goToPassage(page: Page, annotation: Annotation): Promise<void> {
  await page.locator(`[data-annotation-id="${annotation.id}"]`).click();
  const focused = page.locator(":focus");
  await expect(focused).toHaveAttribute("aria-roledescription", "highlight");
  await expect(focused).toHaveAccessibleName(new RegExp(`^Highlighted passage, page ${annotation.page}: `));
  const pane = page.getByRole("document", { name: "Document pages" });
  const [paneBox, box] = [await pane.boundingBox(), await focused.boundingBox()];
  expect(paneBox && box).toBeTruthy();
  if (paneBox && box) {
    expect(box.y).toBeGreaterThanOrEqual(paneBox.y - 1);
    expect(box.y + box.height).toBeLessThanOrEqual(paneBox.y + paneBox.height + 1);
  }
}

async function expectBoxesOverWords(page: Page, annotation: Annotation): Promise<void> {
  const words = annotation.raw_text.split(/\s+/).filter(Boolean);
  const coverage = await highlightCoverage(page, words);
  expect(coverage).toHaveLength(words.length);
  for (const [i, value] of coverage.entries()) {
    expect(value, `word ${i} "${words[i]}" on page ${annotation.page}`).toBeGreaterThan(0.5);
  }
}

test("the demo PDF: lazy pages, page count, zoom, and go to passage at two zooms", async ({ page }, info) => {
  await signIn(page);
  await page.getByRole("link", { name: DEMO_CORPUS }).click();
  await page.getByRole("link", { name: DEMO_PDF }).click();
  const pages = page.locator(".pdf-page");
  await expect(page.getByTestId("page-count")).toHaveText(/^of \d+$/);
  const count = Number((await page.getByTestId("page-count").textContent())?.replace("of ", ""));
  expect(count).toBeGreaterThan(1);
  await expect(pages).toHaveCount(count);
  await expect(pages.first().locator("canvas")).toBeVisible();
  await expect(pages.last().locator("canvas")).toHaveCount(0); // not rendered until scrolled near
  await expect(pages.first().locator(".textLayer span").first()).toBeAttached();
  await shot(page, info, "pdf-viewer");

  const width = (await pages.first().boundingBox())?.width ?? 0;
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect.poll(async () => (await pages.first().boundingBox())?.width ?? 0).toBeGreaterThan(width * 1.05);
  await expect(page.getByRole("button", { name: "Fit width" })).toHaveAttribute("aria-pressed", "false");

  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page.getByLabel("Page number")).toHaveValue("2");

  const annotations = await annotationsOf(page);
  const later = annotations.find((a) => a.page === count) as Annotation;
  await goToPassage(page, later);
  await expectBoxesOverWords(page, later);
  await expect(page.getByLabel("Page number")).toHaveValue(String(count));
  await shot(page, info, "pdf-go-to-passage");

  await page.getByRole("button", { name: "Fit width" }).click();
  const first = annotations.find((a) => a.page === 1) as Annotation;
  await goToPassage(page, first);
  await expectBoxesOverWords(page, first);

  // keyboard scrolling of the pages pane
  const pane = page.getByRole("document", { name: "Document pages" });
  await pane.focus();
  const before = await pane.evaluate((el) => el.scrollTop);
  await page.keyboard.press("PageDown");
  await expect.poll(() => pane.evaluate((el) => el.scrollTop)).toBeGreaterThan(before);
});

test("boxes sit on the words of cropped, rotated, and cropped-and-rotated pages", async ({ page }, info) => {
  await signIn(page);
  await newCorpus(page, "Odd pages");
  await upload(page, [{ name: "odd-pages.pdf", mimeType: "application/pdf", buffer: oddPagesPdf(info) }]);
  await uploadRow(page, "odd-pages.pdf").getByRole("link", { name: /^Open / }).click();
  await expect(page.getByTestId("page-count")).toHaveText("of 4");
  const annotations = await annotationsOf(page);
  expect(annotations.map((a) => a.page)).toEqual([1, 2, 3, 4]);
  for (const annotation of annotations) {
    await goToPassage(page, annotation);
    await expectBoxesOverWords(page, annotation);
  }
  await page.getByRole("button", { name: "Zoom in" }).click();
  await page.getByRole("button", { name: "Zoom in" }).click();
  for (const annotation of annotations.slice(1)) {
    await goToPassage(page, annotation);
    await expectBoxesOverWords(page, annotation);
  }
  await shot(page, info, "pdf-rotated-page");
});
