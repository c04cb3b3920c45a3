import { expect, test } from "@playwright/test";

test("daphne serves the built app at its routes, with long-cached hashed assets", async ({
  page,
  request,
}) => {
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  const response = await page.goto("/corpora/1");
  expect(response?.status()).toBe(200);
  expect(response?.headers()["cache-control"]).toBe("no-cache");
  await expect(page.getByRole("main")).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(failed, "no request of the page fails").toEqual([]);
  // The icon is inline (so the browser never asks for a /favicon.ico the server does not have).
  const iconWidth = await page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>("link[rel=icon]")?.href ?? "";
    if (!href.startsWith("data:image/svg+xml,")) return 0;
    const image = new Image();
    image.src = href;
    await image.decode();
    return image.naturalWidth;
  });
  expect(iconWidth).toBeGreaterThan(0);

  const script = await page.locator("script[type=module]").getAttribute("src");
  expect(script).toMatch(/^\/static\/assets\/index-[\w-]{8}\.js$/);
  const asset = await request.get(script ?? "");
  expect(asset.status()).toBe(200);
  expect(asset.headers()["cache-control"]).toContain("immutable");
});
