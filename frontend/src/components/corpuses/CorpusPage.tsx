// A corpus: its description, its documents (with uploads for those who may change it), and the
// corpus chat beside them.
import { Link, useParams } from "react-router";

import { useCorpus, useDocuments } from "../../api/queries";
import { DocumentTable } from "../widgets/DocumentTable";
import { plural } from "../widgets/format";
import { EmptyState, ErrorState, LoadingState } from "../widgets/States";
import { UploadPanel } from "../widgets/upload/UploadPanel";
import { CorpusChat } from "./CorpusChat";

export function CorpusPage() {
  const corpusId = Number(useParams().corpusId);
  const corpus = useCorpus(corpusId);
  const documents = useDocuments(corpusId, "");

  if (corpus.isPending) return <LoadingState label="Loading corpus…" />;
  if (corpus.isError) {
    return (
      <main className="page">
        <ErrorState error={corpus.error} title="This corpus could not be opened" />
        <Link to="/">Back to the library</Link>
      </main>
    );
  }
  const c = corpus.data;
  return (
    <main className="page">
      <div className="page-heading">
        <div className="page-heading__text">
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <Link to="/">Library</Link> / Corpus
          </nav>
          <h1>{c.title}</h1>
          {c.description && <p className="muted corpus-description">{c.description}</p>}
          <p className="small muted">
            {plural(c.document_count, "document")} · by {c.creator}
            {c.is_public && <> · <span className="badge badge--public">Public</span></>}
          </p>
        </div>
      </div>
      <div className="corpus-layout">
        <section className="section" aria-labelledby="corpus-documents-heading">
          <h2 id="corpus-documents-heading">Documents</h2>
          {c.can_write && <UploadPanel corpusId={corpusId} title="Upload documents to this corpus" />}
          {documents.isPending && <LoadingState label="Loading documents…" />}
          {documents.isError && <ErrorState error={documents.error} title="Documents could not be loaded" />}
          {documents.data && documents.data.items.length === 0 && (
            <EmptyState title="This corpus has no documents yet">
              {c.can_write ? "Upload a PDF, Markdown or text file above." : "Its owner has not added any."}
            </EmptyState>
          )}
          {documents.data && documents.data.items.length > 0 && (
            <DocumentTable documents={documents.data.items} corpusId={corpusId} label="Documents of this corpus" />
          )}
        </section>
        <CorpusChat corpusId={corpusId} />
      </div>
    </main>
  );
}
