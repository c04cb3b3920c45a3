// A citation shows the exact passage in the viewer: the text range in a text document, boxes over
// the cited words on a PDF page; the same after a reload; and from the corpus chat.
import { expect, type Page, test } from "@playwright/test";

import { highlightCoverage, markedText } from "../support";
import { ChatPage, demoCorpusId, documentId, LEASE, shot, signIn, storedMessages, SUPPLY_PDF } from "./helpers";

interface StoredSource {
  page: number;
  rawText: string;
  document_id: number;
}

async function firstSource(chat: ChatPage): Promise<StoredSource> {
  const stored = (await storedMessages(chat.page.request, chat.conversationParam() ?? 0)).at(-1);
  const sources = (stored?.data.sources ?? []) as StoredSource[];
  const first = sources[0];
  if (!first) throw new Error("the answer has no sources");
  return first;
}

/** The cited passage as the Markdown viewer shows it (heading and emphasis markers, blank lines go). */
const shownText = (raw: string) => raw.replace(/^#+ /, "").replace(/\*\*/g, "").replace(/\n\n/g, "");

async function expectPdfHighlight(page: Page, source: StoredSource) {
  const focused = page.locator(":focus");
  await expect(focused).toHaveAttribute("aria-roledescription", "highlight");
  await expect(focused).toHaveAccessibleName(new RegExp(`^Highlighted passage, page ${source.page}: `));
  const words = source.rawText.split(/\s+/).filter(Boolean);
  const coverage = await highlightCoverage(page, words);
  expect(coverage).toHaveLength(words.length);
  const covered = coverage.filter((c) => c > 0.5).length;
  expect(covered / words.length).toBeGreaterThan(0.9);
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("a citation in a text document marks exactly the cited range, also after a reload", async ({ page }) => {
  const lease = await documentId(page.request, LEASE);
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("What is the monthly rent?");
  await chat.finished();
  const source = await firstSource(chat);
  await chat.lastAnswer().getByRole("button", { name: "Source 1" }).click();
  expect(await markedText(page)).toBe(shownText(source.rawText));
  await shot(page, "citation-text");

  await page.reload();
  await chat.finished();
  await chat.lastAnswer().locator(".source").first().click();
  expect(await markedText(page)).toBe(shownText(source.rawText));
});

test("a citation on a PDF draws boxes over the cited words on the right page, also after a reload", async ({
  page,
}) => {
  const pdf = await documentId(page.request, SUPPLY_PDF);
  await page.goto(`/documents/${pdf}`);
  const chat = new ChatPage(page);
  await chat.ask("What are the payment terms and the price adjustment?");
  await chat.finished();
  const source = await firstSource(chat);
  await chat.lastAnswer().getByRole("button", { name: "Source 1" }).click();
  await expectPdfHighlight(page, source);
  await expect(page.getByLabel("Page number")).toHaveValue(String(source.page));
  await shot(page, "citation-pdf");

  await page.reload();
  await chat.finished();
  await chat.lastAnswer().getByRole("button", { name: "Source 1" }).click();
  await expectPdfHighlight(page, source);
});

test("the corpus chat opens the cited document at the passage", async ({ page }) => {
  const corpus = await demoCorpusId(page.request);
  await page.goto(`/corpora/${corpus}?chat=full`);
  const chat = new ChatPage(page);
  await chat.ask("What is the price adjustment for the housings?");
  await chat.finished();
  await shot(page, "corpus-full");
  const source = await firstSource(chat);
  const pdf = await documentId(page.request, SUPPLY_PDF);
  await chat.lastAnswer().getByRole("button", { name: "Source 1" }).click();
  await expect(page).toHaveURL(new RegExp(`/documents/${source.document_id}\\?corpus=${corpus}$`));
  if (source.document_id === pdf) await expectPdfHighlight(page, source);
  else expect(await markedText(page)).toBe(shownText(source.rawText));
});
