// One PDF page: a box of the page's size at once (so scrolling and "go to page" are exact before
// anything is drawn), rendered (canvas + selectable text layer) when it comes near the viewport,
// and again at each zoom. Reports each finished render, which "go to passage" waits for.
import { useEffect, useRef, useState } from "react";

import type { Source } from "../../../../types/protocol";
import { PdfHighlights } from "./PdfHighlights";
import { TextLayer, type PDFDocumentProxy, type RenderTask } from "./pdfjs";

export interface PageSize {
  width: number;
  height: number;
}

export function PdfPage(props: {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  size: PageSize;
  scale: number;
  root: HTMLElement | null;
  sources: Source[];
  activeKey: string | null;
  onRendered: (pageNumber: number, scale: number) => void;
}) {
  const { pdf, pageNumber, scale, root, onRendered } = props;
  const element = useRef<HTMLDivElement>(null);
  const canvasHolder = useRef<HTMLDivElement>(null);
  const textHolder = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  const [failed, setFailed] = useState(false);
  const width = props.size.width * scale;
  const height = props.size.height * scale;

  useEffect(() => {
    const target = element.current;
    if (!target || near) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setNear(true);
      },
      { root, rootMargin: "400px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [root, near]);

  useEffect(() => {
    if (!near) return;
    let cancelled = false;
    let task: RenderTask | null = null;
    let textLayer: InstanceType<typeof TextLayer> | null = null;
    (async () => {
      const page = await pdf.getPage(pageNumber);
      if (cancelled) return;
      const viewport = page.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${viewport.width}px`;
      canvas.style.height = `${viewport.height}px`;
      canvas.setAttribute("aria-hidden", "true");
      task = page.render({
        canvas,
        viewport,
        transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
      });
      await task.promise;
      if (cancelled || !canvasHolder.current || !textHolder.current) return;
      canvasHolder.current.replaceChildren(canvas);
      const text = textHolder.current;
      text.replaceChildren();
      textLayer = new TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport });
      await textLayer.render();
      if (!cancelled) onRendered(pageNumber, scale);
    })().catch((error: unknown) => {
      if (!cancelled && !(error instanceof Error && error.name === "RenderingCancelledException")) {
        setFailed(true);
      }
    });
    return () => {
      cancelled = true;
      task?.cancel();
      textLayer?.cancel();
    };
  }, [near, pdf, pageNumber, scale, onRendered]);

  return (
    <div
      ref={element}
      className="pdf-page"
      data-page-number={pageNumber}
      role="region"
      aria-label={`Page ${pageNumber}`}
      style={{
        width,
        height,
        ["--scale-factor" as string]: scale,
        ["--total-scale-factor" as string]: scale,
        ["--user-unit" as string]: 1,
      }}
    >
      <div className="pdf-page__canvas" ref={canvasHolder} />
      <PdfHighlights
        sources={props.sources}
        pageNumber={pageNumber}
        width={width}
        height={height}
        activeKey={props.activeKey}
      />
      <div className="textLayer" ref={textHolder} />
      {failed && <div className="pdf-page__error" role="alert">Page {pageNumber} could not be drawn.</div>}
    </div>
  );
}
