// The chat against the real daphne, embedded PostgreSQL and the offline model.
import { expect, test } from "@playwright/test";

import { ChatPage, documentId, LEASE, partOfAnswer, signIn, storedMessages } from "./helpers";

let lease = 0;
test.beforeEach(async ({ page }) => {
  await signIn(page);
  lease = await documentId(page.request, LEASE);
});

test("Stop ends the turn on the server and keeps the partial answer, marked Stopped", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("What does the lease say about rent, the deposit and the term?");
  await partOfAnswer(chat, 10);
  await chat.stop.click();
  await expect(chat.lastAnswer().getByText("Stopped")).toBeVisible();
  await chat.finished();
  const shown = await chat.lastAnswer().locator(".md").innerText();
  const conversation = chat.conversationParam();
  expect(conversation).not.toBeNull();
  const stored = (await storedMessages(page.request, conversation ?? 0)).at(-1);
  expect(stored?.state).toBe("cancelled");
  expect(stored?.content.length).toBeGreaterThan(0);
  expect(norm(shown)).toBe(norm(markdownText(stored?.content ?? "")));
  await expect(chat.send).toBeVisible();
});

test("reload in the middle of an answer: it completes with exactly the final text", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("What is the security deposit and when is it returned?");
  await partOfAnswer(chat, 10);
  const conversation = chat.conversationParam();
  await page.reload();
  await chat.finished();
  const stored = (await storedMessages(page.request, conversation ?? 0)).at(-1);
  expect(stored?.state).toBe("completed");
  await expect(chat.answers()).toHaveCount(1);
  await expect(chat.log.getByRole("article", { name: "Your question" })).toHaveCount(1);
  const shown = await chat.lastAnswer().locator(".md").innerText();
  expect(norm(shown)).toBe(norm(markdownText(stored?.content ?? "")));
});

test("a dropped socket mid-answer reconnects and the answer completes with nothing missing or doubled", async ({
  page,
}) => {
  let sockets = 0;
  let dropped = false;
  await page.routeWebSocket(/\/ws\//, (ws) => {
    sockets += 1;
    const server = ws.connectToServer();
    let contents = 0;
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      ws.send(m);
      if (!dropped && String(m).includes('"ASYNC_CONTENT"') && ++contents === 15) {
        dropped = true;
        void ws.close({ code: 1006, reason: "network lost" });
      }
    });
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("When can the tenant renew the lease?");
  await expect(chat.status).toHaveAttribute("data-status", "reconnecting");
  await chat.finished();
  expect(sockets).toBe(2);
  const stored = (await storedMessages(page.request, chat.conversationParam() ?? 0)).at(-1);
  const shown = await chat.lastAnswer().locator(".md").innerText();
  expect(norm(shown)).toBe(norm(markdownText(stored?.content ?? "")));
});

test("the same answer renders identically after a reload: text, pins, sources and timeline", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("What is the monthly rent?");
  await chat.finished();
  const live = await snapshot(chat);
  await page.reload();
  await chat.finished();
  expect(await snapshot(chat)).toEqual(live);
});

async function snapshot(chat: ChatPage) {
  const answer = chat.lastAnswer();
  await answer.locator(".timeline summary").click();
  return {
    text: await answer.locator(".md").innerText(),
    pins: await answer.locator(".cite-pin").allInnerTexts(),
    sources: await answer.locator(".source").allInnerTexts(),
    timeline: await answer.locator(".timeline li").allInnerTexts(),
  };
}

const norm = (s: string) => s.replace(/\s+/g, " ").trim();
/** What the rendered Markdown shows of a stored answer (markers off; pins show their number). */
const markdownText = (s: string) => s.replace(/\*\*|__|`|^#+\s*|^\s*[-*]\s+/gm, "").replace(/\[(\d+)\]/g, "$1");
