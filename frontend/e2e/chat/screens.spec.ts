// The corpus chat, the phone layout and an accessibility scan of the chat screens.
import { expect, type Page, test } from "@playwright/test";
import { createRequire } from "node:module";

import { ChatPage, demoCorpusId, documentId, LEASE, signIn, shot } from "./helpers";

const require = createRequire(import.meta.url);

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<AxeResult> } }).axe;
    return axe.run({ include: [[".chat"], ["dialog[open]"]] });
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("corpus chat: answers across the corpus, and a citation opens the cited document", async ({ page }) => {
  const corpus = await demoCorpusId(page.request);
  await page.goto(`/corpora/${corpus}`);
  const chat = new ChatPage(page);
  await page.getByRole("button", { name: "Full screen" }).click();
  await expect(page).toHaveURL(/chat=full/);
  await expect(page.getByRole("navigation", { name: "Conversations" })).toBeVisible();
  await chat.ask("Which agreement has a security deposit?");
  await chat.finished();
  await shot(page, "corpus-chat");
  expect(await seriousViolations(page)).toEqual([]);
  const title = await chat.lastAnswer().locator(".source-title").first().innerText();
  await chat.lastAnswer().getByRole("button", { name: "Source 1" }).click();
  await expect(page).toHaveURL(new RegExp(`/documents/\\d+\\?corpus=${corpus}$`));
  const opened = Number(new URL(page.url()).pathname.split("/").at(-1));
  const doc = (await (await page.request.get(`/api/documents/${opened}`)).json()) as { title: string };
  expect(title).toContain(doc.title);
});

test("the ChatTray passes an accessibility scan, empty, answered and with the approval open", async ({ page }) => {
  const lease = await documentId(page.request, LEASE);
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.connected();
  await expect(page.getByRole("list", { name: "Suggested questions" })).toBeVisible();
  await expect(page.getByText("Opening the viewer…")).toBeHidden(); // the scan covers the document too
  await shot(page, "tray-empty");
  expect(await seriousViolations(page)).toEqual([]);
  await chat.ask("What is the monthly rent?");
  await chat.finished();
  await chat.lastAnswer().locator(".timeline summary").click();
  expect(await seriousViolations(page)).toEqual([]);
  await chat.ask("add a note: accessibility");
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole("dialog").getByRole("button", { name: "Reject" }).click();
});

test("keyboard: Enter sends, Shift+Enter breaks the line, the approval traps focus and gives it back", async ({
  page,
}) => {
  const lease = await documentId(page.request, LEASE);
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.connected();
  await chat.box.focus();
  await page.keyboard.type("add a note: first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await expect(chat.box).toHaveValue("add a note: first line\nsecond line");
  await page.keyboard.press("Enter");
  await expect(chat.box).toHaveValue("");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(chat.box).toBeFocused(); // focus returns where it was
  const review = chat.lastAnswer().getByRole("button", { name: "Review" });
  await review.click();
  await dialog.getByRole("button", { name: "Reject" }).click();
  await chat.finished();
});

test.describe("phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the chat is a full-screen tab; a citation switches back to the document at the passage", async ({ page }) => {
    const lease = await documentId(page.request, LEASE);
    await page.goto(`/documents/${lease}`);
    await page.getByRole("button", { name: "Chat", exact: true }).tap();
    const region = page.getByRole("region", { name: "Document chat" });
    await expect(region).toBeVisible();
    expect((await region.boundingBox())?.width).toBeGreaterThan(380);
    const chat = new ChatPage(page);
    await chat.ask("What is the monthly rent?");
    await chat.finished();
    await shot(page, "phone-chat");
    // Touch targets of at least 40 px (the pin's ::after extends its hit area).
    for (const name of ["Send", "Source 1", "+ New", "☰ Chats"]) {
      const target = await page.getByRole("button", { name, exact: true }).first().evaluate((el) => {
        const r = el.getBoundingClientRect();
        const after = getComputedStyle(el, "::after");
        const inset = after.content !== "none" && after.position === "absolute" ? -parseFloat(after.top) : 0;
        return { w: r.width + 2 * inset, h: r.height + 2 * inset };
      });
      expect(target.w, name).toBeGreaterThanOrEqual(40);
      expect(target.h, name).toBeGreaterThanOrEqual(40);
    }
    // The composer's text is 16 px, so focusing it does not zoom the page.
    expect(await chat.box.evaluate((el) => getComputedStyle(el).fontSize)).toBe("16px");
    await chat.lastAnswer().getByRole("button", { name: "Source 1" }).tap();
    await expect(region).toBeHidden();
    await expect(page.locator(":focus")).toHaveAttribute("data-highlight-key");
    await shot(page, "phone-citation");
  });
});
