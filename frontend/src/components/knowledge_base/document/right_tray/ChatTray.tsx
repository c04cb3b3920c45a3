// The document page's chat tray. Placeholder: issue 9 (the chat UI) replaces this body.
export function ChatTray(props: { documentId: number; corpusId?: number }) {
  return (
    <section
      className="chat-slot chat-slot--tray"
      aria-label="Document chat"
      data-document-id={props.documentId}
      data-corpus-id={props.corpusId}
    >
      <h2>Ask about this document</h2>
      <p className="muted small">Answers will cite passages and highlight them in the viewer. Coming next.</p>
    </section>
  );
}
