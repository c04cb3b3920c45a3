import { expect, test } from "@playwright/test";

test("daphne serves the built app at its routes, with long-cached hashed assets", async ({
  page,
  request,
}) => {
  const response = await page.goto("/corpora/1");
  expect(response?.status()).toBe(200);
  expect(response?.headers()["cache-control"]).toBe("no-cache");
  await expect(page.getByRole("main")).toBeVisible();

  const script = await page.locator("script[type=module]").getAttribute("src");
  expect(script).toMatch(/^\/static\/assets\/index-[\w-]{8}\.js$/);
  const asset = await request.get(script ?? "");
  expect(asset.status()).toBe(200);
  expect(asset.headers()["cache-control"]).toContain("immutable");
});
