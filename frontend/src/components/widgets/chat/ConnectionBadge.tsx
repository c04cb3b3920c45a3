// The connection state, always in the same fixed-size slot (no layout jump): connected,
// reconnecting in N s (with "Retry now"), offline, or closed with the reason.
import { useEffect, useState } from "react";

import type { ChatConnection } from "../../../chat/connection";
import { useStore } from "../../../chat/store";

function useSecondsUntil(at: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [at]);
  return at === null ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

export function ConnectionBadge({ connection }: { connection: ChatConnection }) {
  const status = useStore(connection.status, (s) => s);
  const seconds = useSecondsUntil(status.kind === "reconnecting" ? status.retryAt : null);
  let label: string;
  switch (status.kind) {
    case "open":
      label = "Connected";
      break;
    case "idle":
    case "connecting":
      label = "Connecting…";
      break;
    case "reconnecting":
      label = status.code === 4029 ? `Too many connections: retrying in ${seconds} s` : `Reconnecting in ${seconds} s`;
      break;
    case "offline":
      label = "Offline: waiting for the network";
      break;
    case "closed":
      label = status.reason;
      break;
  }
  return (
    <div className={`conn conn-${status.kind}`} data-status={status.kind}>
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{label}</span>
      {status.kind === "reconnecting" && (
        <button type="button" className="btn-link" onClick={() => connection.wake()}>
          Retry now
        </button>
      )}
    </div>
  );
}
