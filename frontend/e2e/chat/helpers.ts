// Page objects and helpers for the chat's browser tests.
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { shot as saveShot } from "../support";

export { signIn } from "../support";
export const LEASE = "Commercial Lease - Harbor Point Suite 710";
export const SUPPLY_PDF = "Supply Agreement - Atlas Polymer and Redwood Appliance";

interface Named {
  id: number;
  title: string;
}

export async function documentId(request: APIRequestContext, title: string): Promise<number> {
  const response = await request.get(`/api/documents?page_size=100`);
  expect(response.ok()).toBeTruthy();
  const page = (await response.json()) as { items: Named[] };
  const found = page.items.find((d) => d.title === title);
  if (!found) throw new Error(`no document ${title}`);
  return found.id;
}

export async function demoCorpusId(request: APIRequestContext): Promise<number> {
  const response = await request.get(`/api/corpuses?page_size=100`);
  const page = (await response.json()) as { items: Named[] };
  const first = page.items[0];
  if (!first) throw new Error("no corpus");
  return first.id;
}

/** The shared chat panel (tray or corpus chat). */
export class ChatPage {
  readonly box: Locator;
  readonly send: Locator;
  readonly stop: Locator;
  readonly log: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.box = page.getByRole("textbox", { name: /Ask a question/ });
    this.send = page.getByRole("button", { name: "Send", exact: true });
    this.stop = page.getByRole("button", { name: "Stop", exact: true });
    this.log = page.getByRole("log", { name: "Conversation" });
    this.status = page.locator(".conn");
  }

  async connected(): Promise<void> {
    await expect(this.status).toHaveAttribute("data-status", "open");
  }

  async ask(question: string): Promise<void> {
    await this.connected();
    await this.box.fill(question);
    await this.box.press("Enter");
  }

  answers(): Locator {
    return this.log.getByRole("article", { name: "Answer" });
  }

  lastAnswer(): Locator {
    return this.answers().last();
  }

  async finished(answer: Locator = this.lastAnswer()): Promise<void> {
    await expect(answer).toHaveAttribute("aria-busy", "false", { timeout: 30_000 });
  }

  conversationParam(): number | null {
    const raw = new URL(this.page.url()).searchParams.get("conversation");
    return raw ? Number(raw) : null;
  }
}

export interface StoredMessage {
  id: number;
  msg_type: string;
  content: string;
  state: string;
  data: Record<string, unknown>;
}

export async function storedMessages(
  request: APIRequestContext,
  conversationId: number,
): Promise<StoredMessage[]> {
  const response = await request.get(`/api/conversations/${conversationId}/messages?page_size=100`);
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { items: StoredMessage[] }).items;
}

/** Wait until the streaming answer shows at least `chars` characters of text. */
export async function partOfAnswer(chat: ChatPage, chars = 20): Promise<string> {
  const md = chat.lastAnswer().locator(".md");
  await expect.poll(async () => ((await md.count()) ? (await md.innerText()).length : 0)).toBeGreaterThan(chars);
  return md.innerText();
}

/** A screenshot in this test's output folder (for people to look at). */
export async function shot(page: Page, name: string): Promise<void> {
  await saveShot(page, test.info(), name);
}
