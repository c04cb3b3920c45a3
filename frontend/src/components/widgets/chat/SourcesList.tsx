// The passages an answer rests on: document title, page and an excerpt, each opening the passage.
import { useQueries } from "@tanstack/react-query";

import { api } from "../../../api/client";
import type { Source } from "../../../types/protocol";
import { excerpt } from "../../../viewer/plainText";
import type { CiteHandler } from "./MessageMarkdown";

const EXCERPT = 220;

export function useDocumentTitles(ids: number[]): Map<number, string> {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["document", id],
      queryFn: async () => {
        const { data } = await api.GET("/api/documents/{document_id}", {
          params: { path: { document_id: id } },
        });
        return data ?? null;
      },
      staleTime: 5 * 60_000,
    })),
  });
  const titles = new Map<number, string>();
  results.forEach((result, i) => {
    const id = ids[i];
    if (id !== undefined && result.data) titles.set(id, result.data.title);
  });
  return titles;
}

export function SourcesList({ sources, onCite }: { sources: Source[]; onCite: CiteHandler }) {
  const ids = [...new Set(sources.map((s) => s.document_id))];
  const titles = useDocumentTitles(ids);
  if (!sources.length) return null;
  return (
    <section className="sources" aria-label="Sources">
      <h4>Sources</h4>
      <ol>
        {sources.map((source, i) => (
          <li key={`${source.annotation_id}-${i}`}>
            <button type="button" className="source" onClick={() => onCite(source, i)}>
              <span className="source-n" aria-hidden="true">
                {i + 1}
              </span>
              <span className="source-body">
                <span className="source-title">
                  {titles.get(source.document_id) ?? `Document ${source.document_id}`}
                  <span className="source-page"> · page {source.page}</span>
                </span>
                <span className="source-excerpt">{excerpt(source.rawText, EXCERPT)}</span>
              </span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
