// The document page: header, the passages and notes panel, the viewer, and the chat tray on the
// right (resizable). On a phone the viewer takes the width and the panels open over it.
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { useDocument } from "../../../api/queries";
import { ResizableSplit } from "../../widgets/ResizableSplit";
import { ErrorState, LoadingState } from "../../widgets/States";
import { DocumentHeader, type SidePanel } from "./DocumentHeader";
import { DocumentSidePanel } from "./DocumentSidePanel";
import { DocumentViewer } from "./DocumentViewer";
import { ChatTray } from "./right_tray/ChatTray";

export function DocumentPage() {
  const documentId = Number(useParams().documentId);
  const [params] = useSearchParams();
  const corpusParam = params.get("corpus");
  const corpusId = corpusParam && /^\d+$/.test(corpusParam) ? Number(corpusParam) : undefined;
  const document = useDocument(documentId);
  const [panel, setPanel] = useState<SidePanel>(null);

  if (document.isPending) return <LoadingState label="Loading document…" />;
  if (document.isError) {
    return (
      <main className="page">
        <ErrorState error={document.error} title="This document could not be opened" />
        <Link to="/">Back to the library</Link>
      </main>
    );
  }
  return (
    <main className={`doc-page${panel ? ` doc-page--show-${panel}` : ""}`}>
      <DocumentHeader document={document.data} corpusId={corpusId} panel={panel} onPanel={setPanel} />
      <div className="doc-page__body">
        <aside className="doc-page__passages">
          <DocumentSidePanel document={document.data} corpusId={corpusId} />
        </aside>
        <ResizableSplit
          main={<DocumentViewer document={document.data} />}
          side={<ChatTray documentId={documentId} corpusId={corpusId} onShowDocument={() => setPanel(null)} />}
          sideLabel="chat"
        />
      </div>
    </main>
  );
}
