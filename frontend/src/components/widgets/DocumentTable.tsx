// A list of documents: title (a link), type, pages, status and date. A table on wide screens,
// stacked rows on a phone.
import { Link } from "react-router";

import type { DocumentOut } from "../../api/types";
import { fileTypeName, shortDate } from "./format";
import { StatusBadge } from "./StatusBadge";

export function documentPath(documentId: number, corpusId?: number): string {
  return corpusId === undefined ? `/documents/${documentId}` : `/documents/${documentId}?corpus=${corpusId}`;
}

export function DocumentTable(props: { documents: DocumentOut[]; corpusId?: number; label: string }) {
  return (
    <table className="doc-table" aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Type</th>
          <th scope="col">Pages</th>
          <th scope="col">Status</th>
          <th scope="col">Added</th>
        </tr>
      </thead>
      <tbody>
        {props.documents.map((document) => (
          <tr key={document.id} data-testid="document-row">
            <td className="doc-table__title">
              <Link to={documentPath(document.id, props.corpusId)}>{document.title}</Link>
              {document.status === "failed" && document.status_reason && (
                <div className="doc-table__reason">{document.status_reason}</div>
              )}
            </td>
            <td data-label="Type">{fileTypeName(document.mime_type)}</td>
            <td data-label="Pages">
              {document.status === "ready" ? document.page_count : "–"}
              {document.status === "ready" && (
                <span className="doc-table__unit">{document.page_count === 1 ? " page" : " pages"}</span>
              )}
            </td>
            <td data-label="Status">
              <StatusBadge status={document.status} reason={document.status_reason} />
            </td>
            <td data-label="Added">
              <time dateTime={document.created}>{shortDate(document.created)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
