// One file of the upload list: its progress while it uploads, then its ingestion status
// (polled by useDocument while pending), or the server's refusal.
import { Link } from "react-router";

import { useDocument } from "../../../api/queries";
import { percentOf, type UploadItem } from "../../../state/uploads";
import { documentPath } from "../DocumentTable";
import { fileSize } from "../format";
import { StatusBadge } from "../StatusBadge";

export function UploadRow(props: { item: UploadItem; corpusId?: number; onDismiss: () => void }) {
  const { item } = props;
  const document = useDocument(item.documentId);
  const percent = percentOf(item);
  const status = document.data?.status;
  return (
    <li className={`upload-row upload-row--${item.phase}`} aria-label={item.name} data-testid="upload-row">
      <div className="upload-row__line">
        <span className="upload-row__name">{item.name}</span>
        <span className="muted small">{fileSize(item.size)}</span>
        <span className="upload-row__status">
          {item.phase === "uploading" && <span className="small">{percent}%</span>}
          {item.phase === "uploaded" && status && (
            <StatusBadge status={status} reason={document.data?.status_reason} />
          )}
          {item.phase === "refused" && <span className="badge badge--failed">Refused</span>}
        </span>
        {item.phase !== "uploading" && (
          <button
            type="button"
            className="button button--ghost button--small button--icon"
            aria-label={`Dismiss ${item.name}`}
            onClick={props.onDismiss}
          >
            ×
          </button>
        )}
      </div>
      {item.phase === "uploading" && (
        <div
          className="progress"
          role="progressbar"
          aria-label={`Uploading ${item.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="progress__bar" style={{ width: `${percent}%` }} />
        </div>
      )}
      {item.phase === "refused" && (
        <p className="upload-row__message" role="alert">
          {item.message}
        </p>
      )}
      {status === "failed" && document.data?.status_reason && (
        <p className="upload-row__message" role="alert">
          {document.data.status_reason}
        </p>
      )}
      {status === "ready" && item.documentId !== undefined && (
        <Link className="small" to={documentPath(item.documentId, props.corpusId)}>
          Open {document.data?.title ?? item.name}
        </Link>
      )}
    </li>
  );
}
