// The PDF view: pdf.js pages in one scrolling pane, zoom, page navigation, highlights, and the
// one owner of scrolling for "go to passage": mount the page (scroll its box into view), wait
// for its render at the current zoom, then centre the passage and move focus to it.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { flushSync } from "react-dom";

import { firstPageOf } from "../../../../viewer/geometry";
import { ErrorState, LoadingState } from "../../../widgets/States";
import { centreAndFocus, sourceKey, type ViewerHighlights } from "../highlights";
import { getDocument, type PDFDocumentProxy } from "./pdfjs";
import { PdfPage, type PageSize } from "./PdfPage";
import { PdfToolbar } from "./PdfToolbar";
import { zoomIn, zoomOut } from "./zoom";

const PAGE_GAP = 16;
const PANE_PADDING = 24;

function useLoadedPdf(documentId: number) {
  const [state, setState] = useState<{ pdf: PDFDocumentProxy; sizes: PageSize[] } | { error: unknown } | null>(null);
  useEffect(() => {
    const task = getDocument({ url: `/api/documents/${documentId}/file`, withCredentials: true });
    let cancelled = false;
    task.promise
      .then(async (pdf) => {
        const sizes: PageSize[] = [];
        for (let n = 1; n <= pdf.numPages; n++) {
          const viewport = (await pdf.getPage(n)).getViewport({ scale: 1 });
          sizes.push({ width: viewport.width, height: viewport.height });
        }
        if (!cancelled) setState({ pdf, sizes });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState({ error });
      });
    return () => {
      cancelled = true;
      void task.destroy();
    };
  }, [documentId]);
  return state;
}

function usePaneWidth(pane: HTMLElement | null): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    if (!pane) return;
    const observer = new ResizeObserver(() => setWidth(pane.clientWidth));
    observer.observe(pane); // reports the first size at once
    return () => observer.disconnect();
  }, [pane]);
  return width;
}

export default function PdfViewer(props: { documentId: number; pageCount: number; highlights: ViewerHighlights }) {
  const loaded = useLoadedPdf(props.documentId);
  const [pane, setPane] = useState<HTMLDivElement | null>(null);
  const paneWidth = usePaneWidth(pane);
  const [zoom, setZoom] = useState<number | "fit">("fit");
  const [currentPage, setCurrentPage] = useState(1);
  const [rendered, setRendered] = useState<ReadonlySet<string>>(new Set());
  const { sources, activeKey, pending, settle } = props.highlights;
  // After "go to page/passage" that page is the current one, even where the pane cannot scroll it
  // to the top (the last page), until the reader scrolls.
  const goneTo = useRef<number | null>(null);

  const sizes = loaded && "sizes" in loaded ? loaded.sizes : null;
  const widest = useMemo(() => Math.max(1, ...(sizes ?? []).map((s) => s.width)), [sizes]);
  const fitScale = paneWidth > 0 ? Math.max(0.25, (paneWidth - 2 * PANE_PADDING) / widest) : 1;
  const scale = zoom === "fit" ? fitScale : zoom;

  const onRendered = useCallback((page: number, at: number) => {
    setRendered((previous) => new Set(previous).add(`${page}@${at}`));
  }, []);

  // A new zoom keeps the same spot of the document in view.
  const applyZoom = (next: number | "fit") => {
    const nextScale = next === "fit" ? fitScale : next;
    const top = pane?.scrollTop ?? 0;
    flushSync(() => setZoom(next));
    pane?.scrollTo({ top: (top * nextScale) / scale });
  };

  const pageElement = useCallback(
    (page: number) => pane?.querySelector<HTMLElement>(`[data-page-number="${page}"]`) ?? null,
    [pane],
  );

  const goToPage = useCallback(
    (page: number) => {
      const element = pageElement(page);
      if (!pane || !element) return;
      goneTo.current = page;
      setCurrentPage(page);
      pane.scrollTo({ top: element.offsetTop - PAGE_GAP });
    },
    [pane, pageElement],
  );

  const onScroll = () => {
    if (!pane || !sizes) return;
    if (goneTo.current !== null) {
      setCurrentPage(goneTo.current);
      return;
    }
    const middle = pane.scrollTop + pane.clientHeight / 2;
    let page = 1;
    for (const element of pane.querySelectorAll<HTMLElement>("[data-page-number]")) {
      if (element.offsetTop <= middle) page = Number(element.dataset.pageNumber);
    }
    setCurrentPage(page);
  };

  // "Go to passage": the only code that scrolls to a highlight.
  useEffect(() => {
    if (!pending || !sizes || !pane) return;
    const page = firstPageOf(pending.source);
    const element = pageElement(page);
    if (!element) {
      settle();
      return;
    }
    if (!rendered.has(`${page}@${scale}`)) {
      pane.scrollTo({ top: element.offsetTop - PAGE_GAP }); // brings the page near: it renders
      return;
    }
    const key = sourceKey(pending.source);
    const target =
      [...element.querySelectorAll<HTMLElement>("[data-highlight-key]")].find((el) => el.dataset.highlightKey === key) ??
      element;
    goneTo.current = page; // the scroll event of the centring makes it the current page
    centreAndFocus(pane, target);
    settle();
  }, [pending, sizes, pane, rendered, scale, pageElement, settle]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === "+" || event.key === "=") applyZoom(zoomIn(scale));
    else if (event.key === "-") applyZoom(zoomOut(scale));
    else return;
    event.preventDefault();
  };

  if (loaded && "error" in loaded) return <ErrorState error={loaded.error} title="The PDF could not be opened" />;
  return (
    <div className="pdf-viewer">
      <PdfToolbar
        page={currentPage}
        pageCount={sizes?.length ?? props.pageCount}
        scale={scale}
        fitting={zoom === "fit"}
        onGoToPage={goToPage}
        onZoomIn={() => applyZoom(zoomIn(scale))}
        onZoomOut={() => applyZoom(zoomOut(scale))}
        onFitWidth={() => applyZoom("fit")}
      />
      <div
        className="pdf-viewer__pane"
        ref={setPane}
        tabIndex={0}
        role="document"
        aria-label="Document pages"
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onWheel={() => (goneTo.current = null)}
        onPointerDown={() => (goneTo.current = null)}
        onKeyDownCapture={() => (goneTo.current = null)}
      >
        {!loaded && <LoadingState label="Opening the PDF…" />}
        {loaded && "pdf" in loaded && paneWidth > 0 && (
          <div className="pdf-viewer__pages" style={{ gap: PAGE_GAP, padding: PANE_PADDING }}>
            {loaded.sizes.map((size, index) => (
              <PdfPage
                key={index + 1}
                pdf={loaded.pdf}
                pageNumber={index + 1}
                size={size}
                scale={scale}
                root={pane}
                sources={sources}
                activeKey={activeKey}
                onRendered={onRendered}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
