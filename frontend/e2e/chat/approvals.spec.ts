// Approvals, two tabs, and managing conversations, against the real server and offline model.
import { expect, test } from "@playwright/test";

import { ChatPage, documentId, LEASE, signIn, storedMessages, shot } from "./helpers";

let lease = 0;
test.beforeEach(async ({ page }) => {
  await signIn(page);
  lease = await documentId(page.request, LEASE);
});

async function noteWritten(chat: ChatPage): Promise<{ decision: unknown; toolResult: string }> {
  const stored = (await storedMessages(chat.page.request, chat.conversationParam() ?? 0)).at(-1);
  const approval = stored?.data.approval as { decision?: string } | undefined;
  const timeline = (stored?.data.timeline ?? []) as { type: string; text: string }[];
  return {
    decision: approval?.decision,
    toolResult: timeline.filter((e) => e.type === "tool_result").map((e) => e.text).join(" "),
  };
}

/** The document's notes as the API lists them (GET /api/documents/{id}/notes). */
async function notesOf(chat: ChatPage, document: number): Promise<string[]> {
  const response = await chat.page.request.get(`/api/documents/${document}/notes?page_size=100`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { items: { content: string }[] }).items.map((n) => n.content);
}

test("approve a note: the dialog shows the write in words and JSON, and the note is added", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("add a note: Send the renewal notice by 1 July 2028");
  const dialog = page.getByRole("dialog", { name: "Approve this change?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("add a note to the document");
  await expect(dialog).toContainText("Send the renewal notice by 1 July 2028");
  await expect(dialog.locator("pre")).toContainText('"content"');
  await shot(page, "approval");
  // Dismiss, re-open from the message, then approve.
  await dialog.getByRole("button", { name: "Later" }).click();
  await expect(dialog).toBeHidden();
  await chat.lastAnswer().getByRole("button", { name: "Review" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(dialog).toBeHidden();
  await chat.finished();
  await expect(chat.lastAnswer()).toContainText("Approved");
  const written = await noteWritten(chat);
  expect(written.decision).toBe("approved");
  expect(written.toolResult).toMatch(/Note \d+ was added/);
  expect(await notesOf(chat, lease)).toContain("Send the renewal notice by 1 July 2028");
});

test("reject a note: nothing is written", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("add a note: Do not write this");
  const dialog = page.getByRole("dialog", { name: "Approve this change?" });
  await dialog.getByRole("button", { name: "Reject" }).click();
  await chat.finished();
  await expect(chat.lastAnswer()).toContainText("Rejected");
  const written = await noteWritten(chat);
  expect(written.decision).toBe("rejected");
  expect(written.toolResult).not.toMatch(/was added/);
  expect(await notesOf(chat, lease)).not.toContain("Do not write this");
});

test("two tabs follow one conversation: the same answer live, and an approval decided in the other tab", async ({
  page,
  context,
}) => {
  await page.goto(`/documents/${lease}`);
  const a = new ChatPage(page);
  await a.ask("What is the monthly rent?");
  await expect(page).toHaveURL(/conversation=\d+/);
  const other = await context.newPage();
  await other.goto(page.url());
  const b = new ChatPage(other);
  await b.connected();
  await a.finished();
  await b.finished();
  expect(await b.lastAnswer().locator(".md").innerText()).toBe(await a.lastAnswer().locator(".md").innerText());

  // A question asked in tab B streams in tab A too.
  await b.ask("add a note: Check the insurance certificate");
  const dialogA = page.getByRole("dialog", { name: "Approve this change?" });
  const dialogB = other.getByRole("dialog", { name: "Approve this change?" });
  await expect(dialogA).toBeVisible();
  await expect(dialogB).toBeVisible();
  await expect(a.log.getByRole("article", { name: "Your question" }).last()).toHaveText(/insurance certificate/);
  await dialogB.getByRole("button", { name: "Approve" }).click();
  await expect(dialogA).toBeHidden();
  await a.finished();
  await expect(a.lastAnswer()).toContainText("Approved");

  // A reload while an approval waits shows it again.
  await b.ask("add a note: Reload test");
  await expect(dialogB).toBeVisible();
  await other.reload();
  await expect(dialogB).toBeVisible();
  await dialogA.getByRole("button", { name: "Reject" }).click();
  await expect(dialogB).toBeHidden();
});

test("rename and delete a conversation from the list; an untitled one shows its first question", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("add a note: untitled check");
  await page.getByRole("dialog").getByRole("button", { name: "Reject" }).click();
  await chat.finished();
  const id = chat.conversationParam();
  await page.getByRole("button", { name: /Chats/ }).click();
  const list = page.getByRole("navigation", { name: "Conversations" });
  const item = list.locator(".conversation", { has: page.locator(`[aria-current="true"]`) });
  await expect(item).toBeVisible();
  // Untitled until the server names it: its first question stands in (or the server's title).
  await expect(item.locator(".conversation-title")).toHaveText(/^add a note: untitled check$/i);
  await shot(page, "conversations");

  await item.getByRole("button", { name: /^Rename/ }).click();
  await list.getByLabel("New title").fill("Lease notes");
  await list.getByRole("button", { name: "Save" }).click();
  await expect(list.getByText("Lease notes")).toBeVisible();
  const renamed = await page.request.get(`/api/conversations/${id}`);
  expect(((await renamed.json()) as { title: string }).title).toBe("Lease notes");

  await list.getByRole("searchbox", { name: "Search conversations by title" }).fill("lease not");
  await expect(list.locator(".conversation")).toHaveCount(1);

  page.once("dialog", (d) => void d.accept());
  await list.getByRole("button", { name: "Delete “Lease notes”" }).click();
  await expect(list.getByText("Lease notes")).toBeHidden();
  expect((await page.request.get(`/api/conversations/${id}`)).status()).toBe(404);
  expect(chat.conversationParam()).toBeNull();
});
