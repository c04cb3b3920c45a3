import { expect, test } from "@playwright/test";

import { newCorpus, oddPagesPdf, shot, signIn, upload, uploadRow } from "./support";

test("a text file and a PDF upload with progress and become ready; a .exe and an empty file are refused with the server's message", async ({
  page,
}, info) => {
  await signIn(page);
  await newCorpus(page, "Uploads");
  await upload(page, [
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("Rent is due on the first day of the month.\n") },
    { name: "odd-pages.pdf", mimeType: "application/pdf", buffer: oddPagesPdf(info) },
    { name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ\x90\x00binary") },
    { name: "empty.md", mimeType: "text/markdown", buffer: Buffer.alloc(0) },
  ]);
  await expect(uploadRow(page, "notes.txt")).toContainText("43 B"); // the file's size, not the request's
  for (const name of ["notes.txt", "odd-pages.pdf"]) {
    await expect(uploadRow(page, name).getByText("Ready")).toBeVisible();
    await expect(uploadRow(page, name).getByRole("link", { name: /^Open / })).toBeVisible();
  }
  await expect(uploadRow(page, "setup.exe").getByRole("alert")).toHaveText(
    "'setup.exe' is not a supported file type; upload one of: md, pdf, txt.",
  );
  await expect(uploadRow(page, "empty.md").getByRole("alert")).toContainText("empty");
  const table = page.getByRole("table", { name: "Documents of this corpus" });
  await expect(table.getByRole("row").filter({ hasText: "odd-pages" })).toContainText("Ready");
  await expect(table.getByRole("row").filter({ hasText: "odd-pages" }).getByRole("cell").nth(2)).toHaveText("4 pages");
  await expect(table.getByRole("link")).toHaveCount(2);
  await shot(page, info, "uploads");
});

test("the progress bar follows the upload's real progress events", async ({ page }) => {
  await signIn(page);
  // A slow network, so that the upload takes a while and reports progress on the way.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: 10_000_000,
    uploadThroughput: 400_000,
  });
  const seen: number[] = [];
  await page.exposeFunction("reportProgress", (value: number) => seen.push(value));
  await page.evaluate(() => {
    new MutationObserver(() => {
      const bar = document.querySelector("[role=progressbar]");
      const value = Number(bar?.getAttribute("aria-valuenow"));
      if (bar && !Number.isNaN(value)) (window as unknown as { reportProgress: (v: number) => void }).reportProgress(value);
    }).observe(document.body, { subtree: true, attributes: true, childList: true });
  });
  const big = "The supplier shall deliver the goods on time. ".repeat(40_000); // ~1.8 MB
  await upload(page, [{ name: "big.txt", mimeType: "text/plain", buffer: Buffer.from(big) }]);
  await expect(uploadRow(page, "big.txt").getByText("Ready")).toBeVisible({ timeout: 45_000 });
  const between = seen.filter((v) => v > 0 && v < 100);
  expect(new Set(between).size).toBeGreaterThan(2);
  expect(between).toEqual([...between].sort((a, b) => a - b));
});
