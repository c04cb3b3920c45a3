// What a screen shows while it loads, when it fails, and when there is nothing yet.
import type { ReactNode } from "react";

import { messageOf } from "../../api/errors";

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="centered" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, title }: { error: unknown; title: string }) {
  return (
    <div className="state card" role="alert">
      <h2>{title}</h2>
      <p className="muted">{messageOf(error)}</p>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state--empty">
      <h3>{title}</h3>
      {children && <div className="muted small">{children}</div>}
    </div>
  );
}
