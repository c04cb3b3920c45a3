const LABELS: Record<string, string> = { pending: "Processing", ready: "Ready", failed: "Failed" };

/** A document's ingestion status; `failed` carries the server's reason as its title. */
export function StatusBadge({ status, reason }: { status: string; reason?: string }) {
  return (
    <span className={`badge badge--${status}`} title={reason || undefined} data-status={status}>
      {status === "pending" && <span className="spinner spinner--tiny" aria-hidden="true" />}
      {LABELS[status] ?? status}
    </span>
  );
}
