// Page helpers shared by the browser tests.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

import { expect, type Page, type TestInfo } from "@playwright/test";

export const DEMO = { username: "demo", password: "demo-password" };
export const DEMO_CORPUS = "Demo contracts";
export const DEMO_PDF = "Supply Agreement - Atlas Polymer and Redwood Appliance";

export async function signIn(page: Page, path = "/"): Promise<void> {
  await page.goto(path);
  await page.getByLabel("Username").fill(DEMO.username);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(DEMO.username);
}

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: false });
}

/** Creates a corpus from the library and returns its page's URL. */
export async function newCorpus(page: Page, title: string): Promise<string> {
  await page.goto("/");
  await page.getByRole("button", { name: "New corpus" }).click();
  await page.getByRole("form", { name: "New corpus" }).getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Create corpus" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  return page.url();
}

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export async function upload(page: Page, files: UploadFile[]): Promise<void> {
  await page.getByLabel("Upload documents", { exact: true }).setInputFiles(files);
}

export function uploadRow(page: Page, name: string) {
  return page.getByRole("list", { name: "Uploads" }).getByRole("listitem", { name, exact: true });
}

/** The PDF with a cropped, a rotated and a cropped-and-rotated page (tests/support/odd_pages_pdf.py). */
export function oddPagesPdf(info: TestInfo): Buffer {
  const out = info.outputPath("odd-pages.pdf");
  const root = resolve(import.meta.dirname, "../..");
  execFileSync(resolve(root, ".venv/bin/python"), ["-m", "tests.support.odd_pages_pdf", out], { cwd: root });
  return execFileSync("cat", [out]);
}


/** For each drawn word box of the focused highlight: how much of it covers that word as pdf.js
 *  laid it out in its text layer (the best occurrence of the word on the page), 0..1. */
export async function highlightCoverage(page: Page, words: string[]): Promise<number[]> {
  return page.evaluate((expected) => {
    const highlight = document.activeElement as HTMLElement;
    const pageElement = highlight.closest("[data-page-number]") as HTMLElement;
    const drawn = [...highlight.querySelectorAll<HTMLElement>("[data-testid=highlight-word]")].map((el) =>
      el.getBoundingClientRect(),
    );
    const spans = [...pageElement.querySelectorAll<HTMLElement>(".textLayer span")];
    const wordRects = (word: string): DOMRect[] => {
      const rects: DOMRect[] = [];
      for (const span of spans) {
        const node = span.firstChild;
        if (!node || node.nodeType !== Node.TEXT_NODE) continue;
        const text = node.textContent ?? "";
        for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          rects.push(range.getBoundingClientRect());
        }
      }
      return rects;
    };
    const overlap = (a: DOMRect, b: DOMRect) =>
      Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
      Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    if (drawn.length !== expected.length) return [-drawn.length];
    return drawn.map((box, i) => {
      const area = box.width * box.height;
      const candidates = wordRects(expected[i] as string);
      return area > 0 ? Math.max(0, ...candidates.map((r) => overlap(box, r) / area)) : 0;
    });
  }, words);
}


export interface Annotation {
  id: number;
  page: number;
  raw_text: string;
}

/** The annotations of the document the page shows (through the API, with the page's session). */
export async function annotationsOf(page: Page): Promise<Annotation[]> {
  const id = new URL(page.url()).pathname.split("/").pop();
  const response = await page.request.get(`/api/documents/${id}/annotations?page_size=100`);
  return ((await response.json()) as { items: Annotation[] }).items;
}

/** The text of the focused text highlight (all its marks, in order). */
export async function markedText(page: Page): Promise<string> {
  const focused = page.locator(":focus");
  await expect(focused).toHaveAttribute("data-highlight-key");
  const key = await focused.getAttribute("data-highlight-key");
  return page.evaluate(
    (k) =>
      [...document.querySelectorAll<HTMLElement>("mark[data-highlight-keys]")]
        .filter((m) => m.dataset.highlightKeys?.split(" ").includes(k ?? ""))
        .map((m) => m.textContent)
        .join(""),
    key,
  );
}
