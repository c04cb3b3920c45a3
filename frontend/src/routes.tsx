// The app's URLs (bookmarkable; Django serves index.html for each of them).
import type { RouteObject } from "react-router";

import { AppShell } from "./components/app/AppShell";
import { NotFoundPage } from "./components/app/NotFoundPage";
import { CorpusPage } from "./components/corpuses/CorpusPage";
import { DocumentPage } from "./components/knowledge_base/document/DocumentPage";
import { LibraryPage } from "./components/library/LibraryPage";

export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    children: [
      { path: "/", element: <LibraryPage /> },
      { path: "/corpora/:corpusId", element: <CorpusPage /> },
      { path: "/documents/:documentId", element: <DocumentPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
