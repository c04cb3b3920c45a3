// The document's passages and notes (GET /api/documents/{id}/annotations), listed to be shown:
// a click highlights the passage and asks the viewer to go to it, through the same atoms the
// chat's citations use.
import { useAtomValue, useSetAtom } from "jotai";
import { useDeferredValue, useMemo, useState } from "react";

import { useAnnotations } from "../../../../api/queries";
import { focusRequestAtom, highlightedSourcesAtom } from "../../../../state/viewer";
import { EmptyState, ErrorState, LoadingState } from "../../../widgets/States";
import { excerpt, plainText } from "../../../../viewer/plainText";
import { sourceKey, sourceOfAnnotation } from "../highlights";

export function AnnotationsPanel(props: { documentId: number; corpusId?: number; ready: boolean }) {
  const annotations = useAnnotations(props.documentId, props.ready);
  const setHighlighted = useSetAtom(highlightedSourcesAtom);
  const setFocus = useSetAtom(focusRequestAtom);
  const highlighted = useAtomValue(highlightedSourcesAtom);
  const [filter, setFilter] = useState("");
  const query = useDeferredValue(filter.trim().toLowerCase());

  const sources = useMemo(
    () => (annotations.data ?? []).map((a) => sourceOfAnnotation(a, props.corpusId)),
    [annotations.data, props.corpusId],
  );
  const shown = query ? sources.filter((s) => plainText(s.rawText).toLowerCase().includes(query)) : sources;
  const shownKeys = new Set(highlighted.map(sourceKey));

  return (
    <section className="passages" aria-label="Passages">
      <div className="passages__head">
        <h2>Passages</h2>
        {highlighted.length > 0 && (
          <button type="button" className="button button--ghost button--small" onClick={() => setHighlighted([])}>
            Clear highlights
          </button>
        )}
      </div>
      <input
        className="input passages__filter"
        type="search"
        aria-label="Filter passages"
        placeholder="Filter passages"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      {!props.ready && <p className="muted small">Passages appear when the document is ready.</p>}
      {annotations.isPending && props.ready && <LoadingState label="Loading passages…" />}
      {annotations.isError && <ErrorState error={annotations.error} title="Passages could not be loaded" />}
      {annotations.data && shown.length === 0 && (
        <EmptyState title={query ? "No passage matches" : "No passages"} />
      )}
      <ol className="passages__list">
        {shown.map((source) => {
          const key = sourceKey(source);
          return (
            <li key={key}>
              <button
                type="button"
                className={`passage${shownKeys.has(key) ? " passage--shown" : ""}`}
                aria-label={`Go to passage on page ${source.page}: ${excerpt(source.rawText, 60)}`}
                data-annotation-id={source.annotation_id}
                onClick={() => {
                  setHighlighted([source]);
                  setFocus({ source, requestedAt: Date.now() });
                }}
              >
                <span className="passage__meta">
                  Page {source.page}
                  {source.label && <span className="badge">{source.label}</span>}
                </span>
                <span className="passage__text">{plainText(source.rawText)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
