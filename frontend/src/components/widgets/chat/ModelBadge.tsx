// Which model answers; the offline mode says plainly what it does and how to get a real model.
const OFFLINE = "offline-extractive";

export function ModelBadge({ model }: { model: string | null }) {
  if (!model) return null;
  if (model === OFFLINE || model.startsWith("Offline")) {
    return (
      <details className="model model-offline">
        <summary>Offline mode</summary>
        <p>
          No language model is configured, so answers <strong>quote the most relevant passages</strong>{" "}
          of the document with their citations. It does not reason, summarise or combine facts.
        </p>
        <p>
          To use a model, set <code>OC_LLM_MODEL</code> in the server's environment (for example{" "}
          <code>openai:gpt-4o-mini</code> with <code>OPENAI_API_KEY</code>, or any OpenAI-compatible
          server with <code>OC_LLM_BASE_URL</code> and <code>OC_LLM_API_KEY</code>) and restart it.
        </p>
      </details>
    );
  }
  return (
    <span className="model" title="The model that answers">
      Model: {model}
    </span>
  );
}
