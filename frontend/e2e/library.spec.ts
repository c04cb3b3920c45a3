import { expect, test } from "@playwright/test";

import { DEMO_CORPUS, DEMO_PDF, newCorpus, shot, signIn } from "./support";

test("the library lists corpora and documents, searches by title and creates a corpus", async ({ page }, info) => {
  await signIn(page);
  const corpora = page.getByRole("region", { name: "Corpora" });
  await expect(corpora.getByRole("link", { name: DEMO_CORPUS })).toBeVisible();
  await expect(corpora).toContainText("5 documents");
  const documents = page.getByRole("table", { name: "Documents" });
  const pdfRow = documents.getByRole("row").filter({ hasText: DEMO_PDF });
  await expect(pdfRow).toContainText("PDF");
  await expect(pdfRow).toContainText("Ready");
  await expect(pdfRow.getByRole("cell").nth(2)).toHaveText(/^\d+ pages?$/); // pages
  await shot(page, info, "library");

  await page.getByLabel("Search by title").fill("lease");
  await expect(documents.getByRole("row")).toHaveCount(2); // header + the lease
  await expect(documents).toContainText("Commercial Lease");
  await expect(page.getByText("No corpus has “lease” in its title")).toBeVisible();
  await page.getByLabel("Search by title").fill("");

  await newCorpus(page, "Empty corpus for the library test");
  await expect(page.getByText("This corpus has no documents yet")).toBeVisible();
  await expect(page.getByRole("region", { name: "Corpus chat" })).toBeVisible();
  await shot(page, info, "corpus-empty");
});

test("the demo corpus shows its description, documents and the chat area; back and forward work", async ({ page }, info) => {
  await signIn(page);
  await page.getByRole("link", { name: DEMO_CORPUS }).click();
  await expect(page).toHaveURL(/\/corpora\/\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: DEMO_CORPUS })).toBeVisible();
  await expect(page.getByText("Five sample agreements")).toBeVisible();
  await expect(page.getByRole("table", { name: "Documents of this corpus" }).getByRole("link")).toHaveCount(5);
  await shot(page, info, "corpus");

  await page.getByRole("link", { name: DEMO_PDF }).click();
  await expect(page).toHaveURL(/\/documents\/\d+\?corpus=\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: DEMO_PDF })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: DEMO_CORPUS })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: "Library" })).toBeVisible();
  await page.goForward();
  await page.goForward();
  await expect(page.getByRole("heading", { level: 1, name: DEMO_PDF })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText(DEMO_CORPUS);
});
