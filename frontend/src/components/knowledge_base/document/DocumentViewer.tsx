// Picks the view for a document: pdf.js for PDFs, the text view for text and Markdown. Both are
// loaded on demand (pdf.js alone is over a megabyte).
import { lazy, Suspense } from "react";

import type { DocumentOut } from "../../../api/types";
import { LoadingState } from "../../widgets/States";
import { useViewerHighlights } from "./highlights";

const PdfViewer = lazy(() => import("./pdf/PdfViewer"));
const TextViewer = lazy(() => import("./text/TextViewer"));

export function DocumentViewer({ document }: { document: DocumentOut }) {
  const highlights = useViewerHighlights(document.id);
  if (document.status === "pending") {
    return <LoadingState label="Processing this document… it opens here when it is ready." />;
  }
  if (document.status === "failed") {
    return (
      <div className="centered">
        <div className="state card" role="alert">
          <h2>This document could not be processed</h2>
          <p className="muted">{document.status_reason}</p>
        </div>
      </div>
    );
  }
  return (
    <Suspense fallback={<LoadingState label="Opening the viewer…" />}>
      {document.mime_type === "application/pdf" ? (
        <PdfViewer documentId={document.id} pageCount={document.page_count} highlights={highlights} />
      ) : (
        <TextViewer
          documentId={document.id}
          markdown={document.mime_type.includes("markdown")}
          highlights={highlights}
        />
      )}
    </Suspense>
  );
}
