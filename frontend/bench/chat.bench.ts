// Chat rendering cost in Debian's Chromium, measured with the browser's performance APIs:
// long tasks (PerformanceObserver "longtask", > 50 ms), frame intervals (requestAnimationFrame)
// and input delay (Event Timing) while typing. Prints figures; asserts nothing about time.
import { type Page, test } from "@playwright/test";

import { frames } from "../e2e/chat/frames";
import { documentId, LEASE, signIn } from "../e2e/chat/helpers";

const TOKENS = 2000;
const RATE = 100; // tokens per second
const MESSAGES = 200;

interface Figures {
  longTasks: number[];
  frames: number[];
  events: number[];
}

async function startRecording(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __perf: Figures; __perfStop: boolean };
    w.__perf = { longTasks: [], frames: [], events: [] };
    w.__perfStop = false;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__perf.longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: false });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__perf.events.push(e.duration);
    }).observe({ type: "event", durationThreshold: 16, buffered: false } as PerformanceObserverInit);
    let last = performance.now();
    const tick = (now: number) => {
      w.__perf.frames.push(now - last);
      last = now;
      if (!w.__perfStop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopRecording(page: Page): Promise<Figures> {
  return page.evaluate(() => {
    const w = window as unknown as { __perf: Figures; __perfStop: boolean };
    w.__perfStop = true;
    return w.__perf;
  });
}

function summary(name: string, f: Figures) {
  const sorted = [...f.frames].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const row = {
    name,
    frames: f.frames.length,
    frame_p50_ms: pct(50).toFixed(1),
    frame_p95_ms: pct(95).toFixed(1),
    frame_p99_ms: pct(99).toFixed(1),
    frame_max_ms: (sorted.at(-1) ?? 0).toFixed(1),
    frames_over_50ms: sorted.filter((d) => d > 50).length,
    long_tasks: f.longTasks.length,
    long_task_max_ms: Math.max(0, ...f.longTasks).toFixed(0),
    slow_input_events: f.events.length,
    input_event_max_ms: Math.max(0, ...f.events).toFixed(0),
  };
  console.log(`BENCH ${JSON.stringify(row)}`);
}

/** A Markdown answer of `n` tokens: paragraphs, a list, citations. */
function tokens(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) {
    if (i % 120 === 119) out.push("\n\n");
    else if (i % 40 === 39) out.push(` [${(i % 3) + 1}]`);
    else if (i % 300 === 0) out.push("\n\n- **Point** ");
    else out.push(` word${i % 97}`);
  }
  return out;
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

/** Ask the scripted agent on the real daphne for TOKENS words at RATE per second. */
async function streamRun(page: Page, label: string, opts: { typing: boolean }) {
  const lease = await documentId(page.request, LEASE);
  await page.goto(`/documents/${lease}`);
  const box = page.getByRole("textbox", { name: /Ask a question/ });
  await page.locator('.conn[data-status="open"]').waitFor();
  await box.fill(JSON.stringify({ words: TOKENS, delay: 1 / RATE }));
  await box.press("Enter");
  await page.locator('article[aria-busy="true"]').waitFor();
  await startRecording(page);
  const t0 = Date.now();
  if (opts.typing) await box.pressSequentially("typing while the answer streams in ".repeat(5), { delay: 80 });
  await page.locator('article[aria-busy="false"]').waitFor({ timeout: 120_000 });
  summary(`${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`, await stopRecording(page));
}

test("idle page (baseline)", async ({ page }) => {
  const lease = await documentId(page.request, LEASE);
  await page.goto(`/documents/${lease}`);
  await page.locator('.conn[data-status="open"]').waitFor();
  await startRecording(page);
  await page.waitForTimeout(5000);
  summary("idle page (baseline)", await stopRecording(page));
});

test("streaming a 2,000-token answer at 100 tokens/s", async ({ page }) => {
  await streamRun(page, `streaming ${TOKENS} tokens at ${RATE}/s`, { typing: false });
  await streamRun(page, `streaming ${TOKENS} tokens at ${RATE}/s while typing`, { typing: true });
});

test("opening and scrolling a 200-message conversation", async ({ page }) => {
  const lease = await documentId(page.request, LEASE);
  const body = tokens(120).join("");
  const items = Array.from({ length: MESSAGES }, (_, i) => ({
    id: i + 1,
    conversation_id: 999,
    msg_type: i % 2 === 0 ? "HUMAN" : "LLM",
    content: i % 2 === 0 ? `Question ${i / 2 + 1}?` : `${body}\n\n| a | b |\n|---|---|\n| 1 | 2 |`,
    state: "completed",
    data: i % 2 === 0 ? {} : { sources: [], timeline: [{ type: "tool_call", text: "Searching", tool: "search_document", args: { query: "x" }, count: null }], last_seq: 10 },
    creator: "demo",
    created: "2026-12-01T09:00:00Z",
    modified: "2026-12-01T09:00:00Z",
  }));
  await page.route(/\/api\/conversations\/999\/messages/, (route) =>
    route.fulfill({ json: { items, count: MESSAGES, page: 1, page_size: 100 } }),
  );
  await page.route(/\/api\/conversations\/999$/, (route) =>
    route.fulfill({ json: { id: 999, title: "Bench", description: "", document_id: lease, corpus_id: null, creator: "demo", message_count: MESSAGES, first_question: null, can_write: true, created: "2026-12-01T09:00:00Z", modified: "2026-12-01T09:00:00Z" } }),
  );
  await page.routeWebSocket(/\/ws\//, (ws) => {
    const sync = frames.sync();
    ws.send(JSON.stringify({ ...sync, data: { ...sync.data, conversation_id: 999 } }));
  });
  await page.goto(`/documents/${lease}`);
  await page.locator('.conn[data-status="open"]').waitFor();
  await startRecording(page);
  const t0 = Date.now();
  await page.goto(`/documents/${lease}?conversation=999`);
  await startRecording(page);
  // The newest messages render first (RENDER_STEP); the last answer is the one to wait for.
  await page.getByText(`Question ${MESSAGES / 2}?`).waitFor();
  await page.locator("article.msg-answer").last().waitFor();
  const openMs = Date.now() - t0;
  summary(`opening ${MESSAGES} messages (${openMs} ms to the last one rendered)`, await stopRecording(page));

  await page.locator(".thread").hover();
  await startRecording(page);
  for (let i = 0; i < 60; i += 1) {
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(16);
  }
  const rendered = await page.locator("article.msg").count();
  summary(`scrolling up through ${MESSAGES} messages (60 wheel steps, ${rendered} rendered at the end)`, await stopRecording(page));
});
