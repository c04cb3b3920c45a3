// The document's summary and notes (GET /api/documents/{id} and /notes): what the assistant wrote
// with the user's approval, and when it is written the list refreshes (ChatPanel refetches it).
import { useNotes } from "../../../../api/queries";
import type { DocumentOut } from "../../../../api/types";
import { shortDate } from "../../../widgets/format";
import { EmptyState, ErrorState, LoadingState } from "../../../widgets/States";

export function NotesPanel({ document }: { document: DocumentOut }) {
  const notes = useNotes(document.id);
  return (
    <section className="notes" aria-label="Notes">
      {document.summary && (
        <section className="notes__summary card" aria-label="Summary">
          <h3>Summary</h3>
          <p className="notes__text">{document.summary}</p>
        </section>
      )}
      {notes.isPending && <LoadingState label="Loading notes…" />}
      {notes.isError && <ErrorState error={notes.error} title="Notes could not be loaded" />}
      {notes.data?.length === 0 && (
        <EmptyState title="No notes yet">
          Ask the assistant to add one, for example “add a note: check the renewal date”. It asks
          you before it writes anything.
        </EmptyState>
      )}
      {notes.data && notes.data.length > 0 && (
        <ol className="notes__list">
          {notes.data.map((note) => (
            <li key={note.id}>
              <article className="note" aria-label={note.title || "Note"}>
                {note.title && <h3 className="note__title">{note.title}</h3>}
                <p className="notes__text">{note.content}</p>
                <p className="note__meta small muted">
                  {note.creator ? `${note.creator} · ` : ""}
                  <time dateTime={note.created}>{shortDate(note.created)}</time>
                </p>
              </article>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
