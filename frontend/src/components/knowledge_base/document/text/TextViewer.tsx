// Text and Markdown documents: the extracted text with the highlighted passages marked. Owns
// scrolling for "go to passage" here: once the marks are in the page, centre the first one of the
// requested passage and focus it.
import { useEffect, useMemo, useRef } from "react";

import { useDocumentText } from "../../../../api/queries";
import { ErrorState, LoadingState } from "../../../widgets/States";
import { centreAndFocus, sourceKey, type ViewerHighlights } from "../highlights";
import { MarkdownView } from "./MarkdownView";
import { PlainTextView } from "./PlainTextView";
import { textMarks } from "./ranges";

export default function TextViewer(props: { documentId: number; markdown: boolean; highlights: ViewerHighlights }) {
  const text = useDocumentText(props.documentId, true);
  const pane = useRef<HTMLDivElement>(null);
  const { sources, activeKey, pending, settle } = props.highlights;
  const body = text.data?.text;
  const marks = useMemo(() => (body === undefined ? null : textMarks(body, sources)), [body, sources]);

  useEffect(() => {
    if (!pending || !marks || !pane.current) return;
    const key = sourceKey(pending.source);
    const target = [...pane.current.querySelectorAll<HTMLElement>("mark[data-highlight-keys]")].find((el) =>
      el.dataset.highlightKeys?.split(" ").includes(key),
    );
    if (target) {
      if (target.tabIndex < 0) target.tabIndex = -1; // focusable even where another passage overlaps
      centreAndFocus(pane.current, target);
    }
    settle();
  }, [pending, marks, settle]);

  if (text.isPending) return <LoadingState label="Loading the text…" />;
  if (text.isError) return <ErrorState error={text.error} title="The text could not be loaded" />;
  return (
    <div className="text-viewer" ref={pane} tabIndex={0} role="document" aria-label="Document text">
      <article className={props.markdown ? "text-viewer__page markdown" : "text-viewer__page plain-text"}>
        {props.markdown ? (
          <MarkdownView text={text.data.text} marks={marks} activeKey={activeKey} />
        ) : (
          <PlainTextView text={text.data.text} marks={marks} activeKey={activeKey} />
        )}
      </article>
    </div>
  );
}
