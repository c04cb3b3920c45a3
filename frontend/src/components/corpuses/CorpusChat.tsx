// The corpus page's chat area. Placeholder: issue 9 (the chat UI) replaces this body.
export function CorpusChat(props: { corpusId: number }) {
  return (
    <section className="chat-slot card" aria-label="Corpus chat" data-corpus-id={props.corpusId}>
      <h2>Ask about this corpus</h2>
      <p className="muted small">Chat with every document of this corpus at once. Coming next.</p>
    </section>
  );
}
