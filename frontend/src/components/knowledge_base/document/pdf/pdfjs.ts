// The one module that imports pdf.js, and the one place its worker is set up (a same-origin,
// hashed asset; never a CDN, not `?worker`: pdf.js issue 19908).
import { getDocument, GlobalWorkerOptions, TextLayer } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import "pdfjs-dist/web/pdf_viewer.css";

GlobalWorkerOptions.workerSrc = workerUrl;

export { getDocument, TextLayer };
export type { PDFDocumentProxy, RenderTask } from "pdfjs-dist";
