// The app's URLs (bookmarkable; Django serves index.html for each of them).
import type { RouteObject } from "react-router";
import { useParams, useSearchParams } from "react-router";

import { CorpusChat } from "./components/corpuses/CorpusChat";
import { ChatTray } from "./components/knowledge_base/document/right_tray/ChatTray";

function Placeholder({ name }: { name: string }) {
  return <main><h1>{name}</h1></main>;
}

// Until the app shell (issue 8) lands its pages: the chats mounted on bare pages.
function DocumentPage() {
  const { documentId } = useParams();
  const [params] = useSearchParams();
  const corpus = params.get("corpus");
  return (
    <main style={{ display: "flex", height: "100vh" }}>
      <div style={{ flex: 1 }}><h1>Document</h1></div>
      <ChatTray documentId={Number(documentId)} corpusId={corpus ? Number(corpus) : undefined} />
    </main>
  );
}

function CorpusPage() {
  const { corpusId } = useParams();
  return (
    <main style={{ height: "100vh" }}>
      <CorpusChat corpusId={Number(corpusId)} />
    </main>
  );
}

export const routes: RouteObject[] = [
  { path: "/", element: <Placeholder name="Library" /> },
  { path: "/corpora/:corpusId", element: <CorpusPage /> },
  { path: "/documents/:documentId", element: <DocumentPage /> },
];
