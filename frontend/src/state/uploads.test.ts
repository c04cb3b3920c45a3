import { expect, test } from "vitest";

import { percentOf, uploadsReducer, type UploadItem } from "./uploads";

function run(actions: Parameters<typeof uploadsReducer>[1][]): UploadItem[] {
  return actions.reduce(uploadsReducer, [] as UploadItem[]);
}

test("a file goes from uploading with progress to uploaded with its document", () => {
  const items = run([
    { type: "added", id: "a", name: "lease.pdf", size: 1000 },
    { type: "progress", id: "a", loaded: 250, total: 1000 },
  ]);
  expect(items[0]?.phase).toBe("uploading");
  expect(percentOf(items[0] as UploadItem)).toBe(25);
  const done = uploadsReducer(items, { type: "uploaded", id: "a", documentId: 7 });
  expect(done[0]).toMatchObject({ phase: "uploaded", documentId: 7, loaded: 1000, size: 1000 });
  expect(percentOf(done[0] as UploadItem)).toBe(100);
});

test("several files progress independently, and a refusal keeps the server's message", () => {
  const items = run([
    { type: "added", id: "a", name: "a.txt", size: 10 },
    { type: "added", id: "b", name: "b.exe", size: 10 },
    { type: "progress", id: "a", loaded: 5, total: 10 },
    { type: "refused", id: "b", message: "Unsupported file type (.exe): upload a .txt, .md or .pdf file." },
  ]);
  expect(items.map((i) => [i.name, i.phase])).toEqual([
    ["a.txt", "uploading"],
    ["b.exe", "refused"],
  ]);
  expect(items[1]?.message).toContain(".exe");
  expect(percentOf(items[0] as UploadItem)).toBe(50);
});

test("progress counts the request body, keeps the file's size, and never passes the total", () => {
  const items = run([
    { type: "added", id: "a", name: "a.txt", size: 10 },
    { type: "progress", id: "a", loaded: 150, total: 300 }, // the multipart body is bigger
  ]);
  expect(items[0]).toMatchObject({ loaded: 150, total: 300, size: 10 });
  expect(percentOf(items[0] as UploadItem)).toBe(50);
  const over = uploadsReducer(items, { type: "progress", id: "a", loaded: 400, total: 300 });
  expect(over[0]).toMatchObject({ loaded: 300, total: 300 });
  const refused = uploadsReducer(over, { type: "refused", id: "a", message: "x" });
  expect(uploadsReducer(refused, { type: "progress", id: "a", loaded: 1, total: 300 })[0]?.loaded).toBe(300);
});

test("an empty file's progress is 0% rather than NaN, and dismissing removes an entry", () => {
  const items = run([{ type: "added", id: "a", name: "empty.txt", size: 0 }]);
  expect(percentOf(items[0] as UploadItem)).toBe(0);
  expect(uploadsReducer(items, { type: "dismissed", id: "a" })).toEqual([]);
});
