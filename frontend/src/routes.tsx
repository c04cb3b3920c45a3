// The app's URLs (bookmarkable; Django serves index.html for each of them).
import type { RouteObject } from "react-router";

function Placeholder({ name }: { name: string }) {
  return <main><h1>{name}</h1></main>;
}

export const routes: RouteObject[] = [
  { path: "/", element: <Placeholder name="Library" /> },
  { path: "/corpora/:corpusId", element: <Placeholder name="Corpus" /> },
  { path: "/documents/:documentId", element: <Placeholder name="Document" /> },
];
