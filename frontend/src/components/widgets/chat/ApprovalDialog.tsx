// The one approval dialog: a native <dialog> (focus trapped, Esc closes, focus returns) showing
// what the agent wants to write, in words and as JSON. Closing it only dismisses it (the message
// keeps a "Review" button); a decision in any tab closes it everywhere (the server's
// ASYNC_APPROVAL_RESULT clears the pending approval). People who cannot write see no Approve.
import { type KeyboardEvent, useEffect, useRef } from "react";

import type { PendingToolCall } from "../../../types/protocol";
import { argumentName, argumentValue, toolInWords } from "./toolWords";

interface Props {
  call: PendingToolCall | null;
  open: boolean;
  canDecide: boolean;
  connected: boolean;
  onDecide: (approve: boolean) => void;
  onDismiss: () => void;
}

const FOCUSABLE = "button:not([disabled]), summary, [href], input, textarea, select, [tabindex='0']";

/** Keep Tab inside the dialog (a modal <dialog> lets it escape to the browser's own UI). */
function trapTab(event: KeyboardEvent<HTMLDialogElement>) {
  if (event.key !== "Tab") return;
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

export function ApprovalDialog({ call, open, canDecide, connected, onDecide, onDismiss }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const visible = open && call !== null;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (visible && !dialog.open) dialog.showModal();
    if (!visible && dialog.open) dialog.close();
  }, [visible]);

  return (
    <dialog
      ref={ref}
      className="approval"
      aria-labelledby="approval-title"
      onClose={() => {
        if (visible) onDismiss();
      }}
      onKeyDown={trapTab}
    >
      {call && (
        <form method="dialog" className="approval-body">
          <h2 id="approval-title">Approve this change?</h2>
          <p className="approval-what">
            The assistant wants to <strong>{toolInWords(call.name).toLowerCase()}</strong>.
          </p>
          <dl className="approval-args">
            {Object.entries(call.arguments).map(([key, value]) => (
              <div key={key}>
                <dt>{argumentName(key)}</dt>
                <dd>{argumentValue(value)}</dd>
              </div>
            ))}
          </dl>
          <details>
            <summary>
              Technical details (<code>{call.name}</code>)
            </summary>
            <pre>{JSON.stringify(call.arguments, null, 2)}</pre>
          </details>
          {!canDecide && (
            <p className="approval-note">Only people who may edit this conversation can decide.</p>
          )}
          {canDecide && !connected && (
            <p className="approval-note">Reconnecting… you can decide once the chat is back.</p>
          )}
          <div className="approval-actions">
            <button type="submit" className="btn" value="later">
              Later
            </button>
            {canDecide && (
              <>
                <button type="button" className="btn btn-danger" disabled={!connected} onClick={() => onDecide(false)}>
                  Reject
                </button>
                <button type="button" className="btn btn-primary" disabled={!connected} onClick={() => onDecide(true)}>
                  Approve
                </button>
              </>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
}
