// The document's Notes tab: what the assistant writes with approval shows there at once.
import { expect, test } from "@playwright/test";

import { ChatPage, documentId, LEASE, signIn, shot } from "./helpers";

let lease = 0;
test.beforeEach(async ({ page }) => {
  await signIn(page);
  lease = await documentId(page.request, LEASE);
});

async function approveNext(chat: ChatPage, question: string): Promise<void> {
  await chat.ask(question);
  const dialog = chat.page.getByRole("dialog", { name: "Approve this change?" });
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(dialog).toBeHidden();
  await chat.finished();
  await expect(chat.lastAnswer()).toContainText("Approved");
}

test("an approved note and summary appear in the open Notes tab without a reload", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const tab = page.getByRole("tab", { name: /^Notes/ });
  await tab.click();
  const panel = page.getByRole("tabpanel", { name: /^Notes/ });
  await expect(panel).toBeVisible();
  await expect(page.getByRole("region", { name: "Passages" })).toBeHidden();
  await expect(panel.getByRole("status")).toHaveCount(0); // the list has loaded (empty or not)
  const before = await panel.getByRole("listitem").count();

  const chat = new ChatPage(page);
  await approveNext(chat, "add a note: Confirm the parking allocation with the landlord");
  const note = panel.getByRole("article").filter({ hasText: "Confirm the parking allocation with the landlord" });
  await expect(note).toBeVisible();
  await expect(note).toContainText("demo"); // who approved it
  await expect(panel.getByRole("listitem")).toHaveCount(before + 1);
  await expect(tab).toHaveText(`Notes (${before + 1})`);

  await approveNext(chat, "set the summary to: A five-year lease of Suite 710 at Harbor Point.");
  await expect(panel.getByRole("region", { name: "Summary" })).toHaveText(
    /Summary\s*A five-year lease of Suite 710 at Harbor Point\./,
  );
  await shot(page, "notes");
});

test("the panel's tabs work from the keyboard (arrow keys, Home and End)", async ({ page }) => {
  await page.goto(`/documents/${lease}`);
  const passages = page.getByRole("tab", { name: "Passages" });
  const notes = page.getByRole("tab", { name: /^Notes/ });
  await expect(passages).toHaveAttribute("aria-selected", "true");
  await expect(notes).toHaveAttribute("tabindex", "-1"); // one tab stop for the tab list
  await passages.focus();
  await page.keyboard.press("ArrowRight");
  await expect(notes).toBeFocused();
  await expect(notes).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel", { name: /^Notes/ })).toBeVisible();
  await page.keyboard.press("Home");
  await expect(passages).toBeFocused();
  await expect(page.getByRole("region", { name: "Passages" })).toBeVisible();
  await page.keyboard.press("End");
  await expect(notes).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(passages).toHaveAttribute("aria-selected", "true");
});
