import { expect, test } from "@playwright/test";

import { ChatPage, documentId, LEASE, signIn, shot } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("ask in the ChatTray: the answer streams in, cites its sources, and the URL names the conversation", async ({
  page,
}) => {
  const id = await documentId(page.request, LEASE);
  await page.goto(`/documents/${id}`);
  const chat = new ChatPage(page);
  await expect(page.getByText("Offline mode")).toBeVisible();
  await chat.ask("What is the monthly rent?");
  await expect(chat.log.getByRole("article", { name: "Your question" })).toHaveText(/monthly rent/);
  const answer = chat.lastAnswer();
  await expect(answer).toHaveAttribute("aria-busy", "true");
  await shot(page, "tray-streaming");
  await chat.finished(answer);
  await expect(answer.getByRole("button", { name: "Source 1" })).toBeVisible();
  await expect(answer.getByRole("region", { name: "Sources" })).toContainText(LEASE);
  expect(chat.conversationParam()).not.toBeNull();
  await shot(page, "tray-answered");
});
