// The upload list: one entry per chosen file, from queued to uploaded (then the document's own
// ingestion status is polled) or refused with the server's message. A pure reducer, so every
// transition is tested without a browser.

export type UploadPhase = "uploading" | "uploaded" | "refused";

export interface UploadItem {
  id: string;
  name: string;
  /** The file's size. */
  size: number;
  /** Bytes of the request sent so far, of `total` (the multipart body, a little over `size`). */
  loaded: number;
  total: number;
  phase: UploadPhase;
  documentId?: number;
  message?: string;
}

export type UploadAction =
  | { type: "added"; id: string; name: string; size: number }
  | { type: "progress"; id: string; loaded: number; total: number }
  | { type: "uploaded"; id: string; documentId: number }
  | { type: "refused"; id: string; message: string }
  | { type: "dismissed"; id: string };

export function uploadsReducer(items: UploadItem[], action: UploadAction): UploadItem[] {
  switch (action.type) {
    case "added":
      return [
        ...items,
        { id: action.id, name: action.name, size: action.size, loaded: 0, total: action.size, phase: "uploading" },
      ];
    case "progress":
      return items.map((item) =>
        item.id === action.id && item.phase === "uploading"
          ? { ...item, loaded: Math.min(action.loaded, action.total), total: action.total }
          : item,
      );
    case "uploaded":
      return items.map((item) =>
        item.id === action.id
          ? { ...item, phase: "uploaded", loaded: item.total, documentId: action.documentId }
          : item,
      );
    case "refused":
      return items.map((item) =>
        item.id === action.id ? { ...item, phase: "refused", message: action.message } : item,
      );
    case "dismissed":
      return items.filter((item) => item.id !== action.id);
  }
}

/** Upload progress in percent (0-100), whole numbers. */
export function percentOf(item: UploadItem): number {
  if (item.phase !== "uploading") return 100;
  if (item.total <= 0) return 0;
  return Math.floor((item.loaded / item.total) * 100);
}
