// The highlight boxes of one rendered page: one focusable outline per passage, with a box per
// word inside it, scaled from the source's page size to the page's rendered size.
import type { Source } from "../../../../types/protocol";
import { pageBoxesOf, scaleBox, unionBox } from "../../../../viewer/geometry";
import { sourceKey, sourceLabel } from "../highlights";

export function PdfHighlights(props: {
  sources: Source[];
  pageNumber: number;
  width: number;
  height: number;
  activeKey: string | null;
}) {
  const { width, height } = props;
  return (
    <div className="pdf-highlights">
      {props.sources.flatMap((source) =>
        pageBoxesOf(source)
          .filter((page) => page.page === props.pageNumber)
          .map((page, index) => {
            const outline = page.bounds ?? unionBox(page.words);
            if (!outline) return null;
            const group = scaleBox(outline, page, width, height);
            const key = sourceKey(source);
            return (
              <div
                key={`${key}#${index}`}
                className={`pdf-hl${key === props.activeKey ? " pdf-hl--active" : ""}`}
                style={{ left: group.left, top: group.top, width: group.width, height: group.height }}
                tabIndex={0}
                role="group"
                aria-roledescription="highlight"
                aria-label={sourceLabel(source)}
                data-highlight-key={key}
              >
                {page.words.map((word, w) => {
                  const r = scaleBox(word, page, width, height);
                  return (
                    <span
                      key={w}
                      className="pdf-hl__word"
                      data-testid="highlight-word"
                      style={{ left: r.left - group.left, top: r.top - group.top, width: r.width, height: r.height }}
                    />
                  );
                })}
              </div>
            );
          }),
      )}
    </div>
  );
}
