import { Link } from "react-router";

import { useCorpus } from "../../../api/queries";
import type { DocumentOut } from "../../../api/types";
import { fileTypeName, plural, shortDate } from "../../widgets/format";
import { StatusBadge } from "../../widgets/StatusBadge";

export type SidePanel = "passages" | "chat" | null;

export function DocumentHeader(props: {
  document: DocumentOut;
  corpusId?: number;
  panel: SidePanel;
  onPanel: (panel: SidePanel) => void;
}) {
  const { document } = props;
  const corpus = useCorpus(props.corpusId ?? 0, props.corpusId !== undefined);
  const toggle = (panel: Exclude<SidePanel, null>) => props.onPanel(props.panel === panel ? null : panel);
  return (
    <div className="doc-header">
      <div className="doc-header__text">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/">Library</Link>
          {props.corpusId !== undefined && (
            <>
              {" / "}
              <Link to={`/corpora/${props.corpusId}`}>{corpus.data?.title ?? "Corpus"}</Link>
            </>
          )}
        </nav>
        <h1 className="doc-header__title">{document.title}</h1>
        <div className="doc-header__meta small muted">
          <span>{fileTypeName(document.mime_type)}</span>
          {document.status === "ready" && <span>{plural(document.page_count, "page")}</span>}
          <span>{shortDate(document.created)}</span>
          <StatusBadge status={document.status} reason={document.status_reason} />
        </div>
      </div>
      <div className="doc-header__toggles">
        <button type="button" className="button button--small" aria-pressed={props.panel === "passages"} onClick={() => toggle("passages")}>
          Passages &amp; notes
        </button>
        <button type="button" className="button button--small" aria-pressed={props.panel === "chat"} onClick={() => toggle("chat")}>
          Chat
        </button>
      </div>
    </div>
  );
}
