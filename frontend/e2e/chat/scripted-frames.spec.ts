// Exact frame sequences a live server rarely produces, scripted with page.routeWebSocket.
import { expect, test, type WebSocketRoute } from "@playwright/test";

import type { ClientFrame, ServerFrame } from "../../src/types/protocol";
import { frames, source } from "./frames";
import { ChatPage, documentId, LEASE, signIn, shot } from "./helpers";

interface Scripted {
  sockets: WebSocketRoute[];
  received: ClientFrame[];
}

/** Every chat socket is answered by the script: SYNC_STATE at once, then `onFrame` decides. */
async function script(
  page: import("@playwright/test").Page,
  onFrame: (ws: WebSocketRoute, frame: ClientFrame, send: (f: ServerFrame) => void) => void,
): Promise<Scripted> {
  const scripted: Scripted = { sockets: [], received: [] };
  await page.routeWebSocket(/\/ws\//, (ws) => {
    scripted.sockets.push(ws);
    const send = (f: ServerFrame) => ws.send(JSON.stringify(f));
    send(frames.sync());
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as ClientFrame;
      scripted.received.push(frame);
      onFrame(ws, frame, send);
    });
  });
  return scripted;
}

let lease = 0;
test.beforeEach(async ({ page }) => {
  await signIn(page);
  lease = await documentId(page.request, LEASE);
});

test("a gap asks RESUME_STREAM after the last seq, and the replay fills it exactly once", async ({ page }) => {
  const scripted = await script(page, (_ws, frame, send) => {
    if ("query" in frame) {
      send(frames.start(frame.query));
      send(frames.content(2, "one "));
      send(frames.content(4, "three ")); // seq 3 is missing
      send(frames.content(5, "four "));
    } else if ("type" in frame && frame.type === "RESUME_STREAM") {
      send(frames.content(3, "two "));
      send(frames.content(4, "three "));
      send(frames.content(5, "four "));
      send(frames.finish(6, "one two three four "));
    }
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("Count to four");
  await chat.finished();
  await expect(chat.lastAnswer().locator(".md")).toHaveText("one two three four");
  const resumes = scripted.received.filter((f) => "type" in f && f.type === "RESUME_STREAM");
  expect(resumes).toEqual([{ type: "RESUME_STREAM", message_id: 901, after_seq: 2 }]);
});

test("duplicated frames are applied once", async ({ page }) => {
  let releaseFinish: () => void = () => undefined;
  const finishGate = new Promise<void>((resolve) => (releaseFinish = resolve));
  await script(page, (_ws, frame, send) => {
    if (!("query" in frame)) return;
    send(frames.start(frame.query));
    send(frames.start(frame.query));
    send(frames.content(2, "alpha "));
    send(frames.content(2, "alpha "));
    send(frames.content(3, "beta"));
    send(frames.content(2, "alpha "));
    void finishGate.then(() => send(frames.finish(4, "alpha beta")));
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("Say alpha beta");
  // Before FINISH replaces the text: the streamed deltas alone show no duplicate.
  await expect(chat.lastAnswer().locator(".md")).toHaveText("alpha beta");
  await expect(chat.log.getByRole("article", { name: "Your question" })).toHaveCount(1);
  releaseFinish();
  await chat.finished();
  await expect(chat.lastAnswer().locator(".md")).toHaveText("alpha beta");
});

test("an error mid-stream keeps the partial text, shows the message and code, and Try again resends", async ({
  page,
}) => {
  const scripted = await script(page, (_ws, frame, send) => {
    if (!("query" in frame)) return;
    send(frames.start(frame.query));
    send(frames.content(2, "Partial answer"));
    send(frames.error(3));
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask("What is the deposit?");
  const alert = chat.lastAnswer().getByRole("alert");
  await expect(alert).toContainText("The model provider timed out.");
  await expect(alert).toContainText("agent_error");
  await expect(chat.lastAnswer()).toContainText("Partial answer");
  await shot(page, "error");
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect.poll(() => scripted.received.filter((f) => "query" in f).length).toBe(2);
  const [first, second] = scripted.received.filter((f) => "query" in f);
  expect(second && "query" in second && second.query).toBe("What is the deposit?");
  expect(first && "client_id" in first && first.client_id).not.toBe(second && "client_id" in second && second.client_id);
});

test("4029 waits longer before reconnecting, says so, and Retry now reconnects", async ({ page }) => {
  let connections = 0;
  await page.routeWebSocket(/\/ws\//, (ws) => {
    connections += 1;
    if (connections === 1) {
      void ws.close({ code: 4029, reason: "too many connections" });
      return;
    }
    ws.send(JSON.stringify(frames.sync()));
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await expect(chat.status).toContainText(/Too many connections: retrying in (1[5-9]|[2-5]\d) s/);
  await shot(page, "4029");
  await page.getByRole("button", { name: "Retry now" }).click();
  await chat.connected();
  expect(connections).toBe(2);
});

test("HTML and javascript: links in an answer and a source stay inert", async ({ page }) => {
  const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const answer = `Look ${payload} [click](javascript:window.__xss=3) [1]`;
  await script(page, (_ws, frame, send) => {
    if (!("query" in frame)) return;
    const sources = [source(lease, `Clause ${payload}`)];
    send(frames.start(frame.query));
    send(frames.sources(2, sources));
    send(frames.content(3, answer));
    send(frames.finish(4, answer, sources));
  });
  await page.goto(`/documents/${lease}`);
  const chat = new ChatPage(page);
  await chat.ask(`Question ${payload}`);
  await chat.finished();
  await expect(chat.log.getByRole("article", { name: "Your question" })).toContainText("<img src=x");
  await expect(chat.lastAnswer().locator(".source-excerpt")).toContainText("<img src=x");
  await expect(page.locator("[onerror]")).toHaveCount(0);
  await expect(page.locator("main script")).toHaveCount(0);
  await expect(page.locator('a[href^="javascript"]')).toHaveCount(0);
  await chat.lastAnswer().getByText("click").click();
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});
