// Pick or drop .txt, .md and .pdf files; several at once. The server decides what it accepts
// (type, size, emptiness) and its message is shown as it is.
import { useId, useState, type DragEvent } from "react";

import { UploadRow } from "./UploadRow";
import { useUploads } from "./useUploads";

export function UploadPanel(props: { corpusId?: number; title: string }) {
  const { items, start, dismiss } = useUploads(props.corpusId);
  const [dragging, setDragging] = useState(false);
  const inputId = useId();

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) start(Array.from(event.dataTransfer.files));
  };

  return (
    <section className="upload card" aria-label={props.title}>
      <div
        className={`dropzone${dragging ? " dropzone--active" : ""}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <span className="dropzone__icon" aria-hidden="true">⇪</span>
        <div>
          <div className="dropzone__title">Drop files here or</div>
          <div className="muted small">PDF, Markdown or plain text</div>
        </div>
        <label className="button" htmlFor={inputId}>
          Choose files
        </label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept=".pdf,.md,.markdown,.txt,application/pdf,text/plain,text/markdown"
          aria-label="Upload documents"
          onChange={(event) => {
            if (event.target.files) start(Array.from(event.target.files));
            event.target.value = "";
          }}
        />
      </div>
      {items.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.id} item={item} corpusId={props.corpusId} onDismiss={() => dismiss(item.id)} />
          ))}
        </ul>
      )}
    </section>
  );
}
