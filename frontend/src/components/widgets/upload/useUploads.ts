// Starts one XHR upload per file and keeps the upload list's state (state/uploads.ts).
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useReducer, useRef } from "react";

import { messageOf } from "../../../api/errors";
import { uploadDocument } from "../../../api/upload";
import { uploadsReducer } from "../../../state/uploads";

export function useUploads(corpusId: number | undefined) {
  const [items, dispatch] = useReducer(uploadsReducer, []);
  const client = useQueryClient();
  const counter = useRef(0);

  const start = useCallback(
    (files: Iterable<File>) => {
      for (const file of files) {
        const id = `upload-${++counter.current}`;
        dispatch({ type: "added", id, name: file.name, size: file.size });
        const upload = uploadDocument(file, corpusId, {
          onProgress: (loaded, total) => dispatch({ type: "progress", id, loaded, total }),
        });
        upload.done.then(
          (document) => {
            dispatch({ type: "uploaded", id, documentId: document.id });
            void client.invalidateQueries({ queryKey: ["documents"] });
            void client.invalidateQueries({ queryKey: ["corpora"] });
            if (corpusId !== undefined) void client.invalidateQueries({ queryKey: ["corpus", corpusId] });
          },
          (error: unknown) => dispatch({ type: "refused", id, message: messageOf(error) }),
        );
      }
    },
    [client, corpusId],
  );

  const dismiss = useCallback((id: string) => dispatch({ type: "dismissed", id }), []);
  return { items, start, dismiss };
}
