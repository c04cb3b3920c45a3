import { Link } from "react-router";

import type { CorpusOut } from "../../api/types";
import { plural, shortDate } from "../widgets/format";

export function CorpusCard({ corpus }: { corpus: CorpusOut }) {
  return (
    <article className="corpus-card card" aria-labelledby={`corpus-${corpus.id}`}>
      <h3 id={`corpus-${corpus.id}`}>
        <Link to={`/corpora/${corpus.id}`} className="corpus-card__link">
          {corpus.title}
        </Link>
      </h3>
      <p className="corpus-card__description muted small">{corpus.description || "No description."}</p>
      <div className="corpus-card__meta small muted">
        <span>{plural(corpus.document_count, "document")}</span>
        <span aria-hidden="true">·</span>
        <span>by {corpus.creator}</span>
        <span aria-hidden="true">·</span>
        <time dateTime={corpus.created}>{shortDate(corpus.created)}</time>
        {corpus.is_public && <span className="badge badge--public">Public</span>}
      </div>
    </article>
  );
}
