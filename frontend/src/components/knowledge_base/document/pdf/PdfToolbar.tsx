// Page number and count, previous/next page, zoom out/in and fit width.
import { useState, type FormEvent } from "react";

export function PdfToolbar(props: {
  page: number;
  pageCount: number;
  scale: number;
  fitting: boolean;
  onGoToPage: (page: number) => void;
  onZoomIn: () => void;
  onZoomOut: () => void;
  onFitWidth: () => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = Number(draft);
    if (Number.isInteger(wanted) && wanted >= 1 && wanted <= props.pageCount) props.onGoToPage(wanted);
    setDraft(null);
  };
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="PDF controls">
      <div className="viewer-toolbar__group">
        <button
          type="button"
          className="button button--small button--icon"
          aria-label="Previous page"
          disabled={props.page <= 1}
          onClick={() => props.onGoToPage(props.page - 1)}
        >
          ‹
        </button>
        <form onSubmit={submit} className="viewer-toolbar__page">
          <input
            className="input viewer-toolbar__page-input"
            aria-label="Page number"
            inputMode="numeric"
            value={draft ?? String(props.page)}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => setDraft(null)}
          />
          <span className="small muted" data-testid="page-count">of {props.pageCount}</span>
        </form>
        <button
          type="button"
          className="button button--small button--icon"
          aria-label="Next page"
          disabled={props.page >= props.pageCount}
          onClick={() => props.onGoToPage(props.page + 1)}
        >
          ›
        </button>
      </div>
      <div className="viewer-toolbar__group">
        <button type="button" className="button button--small button--icon" aria-label="Zoom out" onClick={props.onZoomOut}>
          −
        </button>
        <output className="viewer-toolbar__zoom small" aria-label="Zoom level">
          {Math.round(props.scale * 100)}%
        </output>
        <button type="button" className="button button--small button--icon" aria-label="Zoom in" onClick={props.onZoomIn}>
          +
        </button>
        <button
          type="button"
          className="button button--small"
          aria-pressed={props.fitting}
          onClick={props.onFitWidth}
        >
          Fit width
        </button>
      </div>
    </div>
  );
}
