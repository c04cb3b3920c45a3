import { expect, test } from "@playwright/test";

import { annotationsOf, markedText, newCorpus, shot, signIn, upload, uploadRow, type Annotation } from "./support";

const MARKDOWN = [
  "# Party notes 🎉",
  "",
  // long enough (over 600 characters) that the renewal section is a passage of its own
  "Guests bring food 😀😀 and the café serves déjà-vu coffee, naïvely. ".repeat(10).trim(),
  "",
  "<img src=x onerror=alert(1)>",
  "",
  "## Renewal",
  "",
  "The tenant may renew the lease for five more years by written notice.",
  "",
].join("\n");

const TEXT = [
  "Greetings 👋 from the landlord, café owner and naïve poet 🎉. ".repeat(12).trim(),
  "DEPOSIT",
  "The deposit of 🏠 two months is returned within 30 days.",
  "",
].join("\n\n");

test("Markdown: the marked range is exactly the passage, after emoji, and raw HTML is not rendered", async ({ page }, info) => {
  await signIn(page);
  await newCorpus(page, "Texts");
  await upload(page, [
    { name: "party.md", mimeType: "text/markdown", buffer: Buffer.from(MARKDOWN) },
    { name: "deposit.txt", mimeType: "text/plain", buffer: Buffer.from(TEXT) },
  ]);
  await expect(uploadRow(page, "deposit.txt").getByText("Ready")).toBeVisible();
  await uploadRow(page, "party.md").getByRole("link", { name: /^Open / }).click();
  await expect(page.getByRole("heading", { name: "Party notes 🎉" })).toBeVisible();
  expect(await page.locator("article [onerror], article img").count()).toBe(0);

  const annotations = await annotationsOf(page);
  expect(annotations.length).toBeGreaterThan(1);
  const renewal = annotations.find((a) => a.raw_text.includes("The tenant may renew")) as Annotation;
  expect(renewal.raw_text).not.toContain("😀"); // a passage after the emoji
  await page.locator(`[data-annotation-id="${renewal.id}"]`).click();
  // As rendered: a heading drops its "## ", raw HTML is not shown, blocks have no text between them.
  const rendered = renewal.raw_text
    .split("\n\n")
    .filter((block) => !block.startsWith("<"))
    .map((block) => block.replace(/^#+ /, ""))
    .join("");
  expect(await markedText(page)).toBe(rendered);
  await expect(page.locator(":focus")).toHaveAccessibleName(/^Highlighted passage, page 1: /);
  await shot(page, info, "markdown-passage");

  await page.goBack();
  await page.getByRole("table", { name: "Documents of this corpus" }).getByRole("link", { name: "deposit" }).click();
  const texts = await annotationsOf(page);
  const deposit = texts.find((a) => a.raw_text.includes("two months")) as Annotation;
  expect(deposit.raw_text.startsWith("DEPOSIT")).toBe(true); // a passage after the emoji
  await page.locator(`[data-annotation-id="${deposit.id}"]`).click();
  expect(await markedText(page)).toBe(deposit.raw_text);
  await shot(page, info, "text-passage");

  await page.reload(); // a document URL reloads to the same document
  await expect(page.getByRole("heading", { level: 1, name: "deposit" })).toBeVisible();
  await expect(page.getByRole("document", { name: "Document text" })).toContainText("two months");
});
