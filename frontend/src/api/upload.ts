// File uploads go through XMLHttpRequest, not fetch: only XHR reports upload progress events.
import { csrfToken } from "./client";
import { failureOf } from "./errors";
import type { DocumentOut } from "./types";

export interface UploadHandlers {
  onProgress: (loaded: number, total: number) => void;
}

export interface RunningUpload {
  done: Promise<DocumentOut>;
  abort: () => void;
}

/** POST /api/documents with one file (multipart), into `corpusId` when given. */
export function uploadDocument(
  file: File,
  corpusId: number | undefined,
  { onProgress }: UploadHandlers,
): RunningUpload {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append("file", file, file.name);
  if (corpusId !== undefined) form.append("corpus_id", String(corpusId));
  const done = new Promise<DocumentOut>((resolve, reject) => {
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201) resolve(body as DocumentOut);
      else reject(failureOf(xhr.status, body));
    });
    xhr.addEventListener("error", () => reject(failureOf(0, null)));
    xhr.addEventListener("abort", () => reject(failureOf(0, { code: "aborted", message: "Upload cancelled." })));
  });
  xhr.open("POST", "/api/documents");
  xhr.withCredentials = true;
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}
