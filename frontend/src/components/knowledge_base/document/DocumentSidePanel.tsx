// The document page's left panel: its passages and its notes, a tab each. The tabs follow the
// ARIA tabs pattern: one tab stop, the arrow keys (and Home, End) move between the tabs.
import { useRef, useState, type KeyboardEvent } from "react";

import { useNotes } from "../../../api/queries";
import type { DocumentOut } from "../../../api/types";
import { AnnotationsPanel } from "./annotations/AnnotationsPanel";
import { NotesPanel } from "./annotations/NotesPanel";

const TABS = ["passages", "notes"] as const;
type Tab = (typeof TABS)[number];

export function DocumentSidePanel(props: { document: DocumentOut; corpusId?: number }) {
  const { document } = props;
  const [tab, setTab] = useState<Tab>("passages");
  const notes = useNotes(document.id);
  const buttons = useRef<Record<Tab, HTMLButtonElement | null>>({ passages: null, notes: null });
  const labels: Record<Tab, string> = {
    passages: "Passages",
    notes: notes.data && notes.data.length > 0 ? `Notes (${notes.data.length})` : "Notes",
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.indexOf(tab);
    const next = {
      ArrowRight: TABS[(index + 1) % TABS.length],
      ArrowLeft: TABS[(index + TABS.length - 1) % TABS.length],
      Home: TABS[0],
      End: TABS[TABS.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    setTab(next);
    buttons.current[next]?.focus();
  };

  return (
    <div className="side-panel">
      <div className="side-panel__tabs" role="tablist" aria-label="Document panels" onKeyDown={onKeyDown}>
        {TABS.map((name) => (
          <button
            key={name}
            ref={(element) => {
              buttons.current[name] = element;
            }}
            type="button"
            role="tab"
            id={`side-tab-${name}`}
            aria-controls={`side-panel-${name}`}
            aria-selected={tab === name}
            tabIndex={tab === name ? 0 : -1}
            className="side-panel__tab"
            onClick={() => setTab(name)}
          >
            {labels[name]}
          </button>
        ))}
      </div>
      {TABS.map((name) => (
        <div
          key={name}
          role="tabpanel"
          id={`side-panel-${name}`}
          aria-labelledby={`side-tab-${name}`}
          hidden={tab !== name}
        >
          {name === "passages" ? (
            <AnnotationsPanel documentId={document.id} corpusId={props.corpusId} ready={document.status === "ready"} />
          ) : (
            <NotesPanel document={document} />
          )}
        </div>
      ))}
    </div>
  );
}
