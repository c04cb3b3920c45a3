import { expect, test } from "@playwright/test";

import { DEMO_CORPUS, DEMO_PDF, shot, signIn } from "./support";

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test("on a phone the library is one column and the PDF fits the width", async ({ page }, info) => {
  await signIn(page);
  await shot(page, info, "phone-library");
  const cards = page.locator(".corpus-card");
  await expect(cards.first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page.getByRole("link", { name: DEMO_CORPUS }).click();
  await expect(page.getByRole("heading", { level: 1, name: DEMO_CORPUS })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, info, "phone-corpus");

  await page.getByRole("link", { name: DEMO_PDF }).click();
  const firstPage = page.locator(".pdf-page").first();
  await expect(firstPage.locator("canvas")).toBeVisible();
  const box = await firstPage.boundingBox();
  expect(box?.x).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 999)).toBeLessThanOrEqual(390);
  await shot(page, info, "phone-pdf");

  await page.getByRole("button", { name: "Passages" }).click();
  await expect(page.getByRole("region", { name: "Passages" })).toBeVisible();
  await shot(page, info, "phone-passages");
});
