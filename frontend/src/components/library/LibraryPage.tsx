// The library: the corpora you may read (yours, shared with you, public) and the documents,
// searchable by title; create a corpus; upload documents that belong to no corpus.
import { useDeferredValue, useState } from "react";

import { useCorpora, useDocuments } from "../../api/queries";
import { DocumentTable } from "../widgets/DocumentTable";
import { plural } from "../widgets/format";
import { SearchField } from "../widgets/SearchField";
import { EmptyState, ErrorState, LoadingState } from "../widgets/States";
import { UploadPanel } from "../widgets/upload/UploadPanel";
import { CorpusCard } from "./CorpusCard";
import { CreateCorpusForm } from "./CreateCorpusForm";

export function LibraryPage() {
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search.trim());
  const corpora = useCorpora(query);
  const documents = useDocuments(undefined, query);
  const [creating, setCreating] = useState(false);

  return (
    <main className="page">
      <div className="page-heading">
        <div className="page-heading__text">
          <h1>Library</h1>
          <p className="muted">Your corpora and documents, and the public ones.</p>
        </div>
        <SearchField label="Search by title" value={search} onChange={setSearch} />
      </div>

      <section className="section" aria-labelledby="corpora-heading">
        <div className="section__head">
          <h2 id="corpora-heading">Corpora</h2>
          {!creating && (
            <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
              New corpus
            </button>
          )}
        </div>
        {creating && <CreateCorpusForm onDone={() => setCreating(false)} />}
        {corpora.isPending && <LoadingState label="Loading corpora…" />}
        {corpora.isError && <ErrorState error={corpora.error} title="Corpora could not be loaded" />}
        {corpora.data && corpora.data.items.length === 0 && (
          <EmptyState title={query ? `No corpus has “${query}” in its title` : "No corpora yet"}>
            {query ? "Try another word." : "Create a corpus to group documents and chat with all of them at once."}
          </EmptyState>
        )}
        {corpora.data && corpora.data.items.length > 0 && (
          <div className="corpus-grid">
            {corpora.data.items.map((corpus) => (
              <CorpusCard key={corpus.id} corpus={corpus} />
            ))}
          </div>
        )}
      </section>

      <section className="section" aria-labelledby="documents-heading">
        <div className="section__head">
          <h2 id="documents-heading">Documents</h2>
          {documents.data && (
            <span className="muted small">{plural(documents.data.count, "document")}</span>
          )}
        </div>
        <UploadPanel title="Upload documents to your library" />
        {documents.isPending && <LoadingState label="Loading documents…" />}
        {documents.isError && <ErrorState error={documents.error} title="Documents could not be loaded" />}
        {documents.data && documents.data.items.length === 0 && (
          <EmptyState title={query ? `No document has “${query}” in its title` : "No documents yet"}>
            {query ? "Try another word." : "Upload a PDF, Markdown or text file to start reading and asking questions."}
          </EmptyState>
        )}
        {documents.data && documents.data.items.length > 0 && (
          <DocumentTable documents={documents.data.items} label="Documents" />
        )}
      </section>
    </main>
  );
}
