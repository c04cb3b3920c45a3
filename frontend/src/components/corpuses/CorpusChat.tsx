// The chat across a corpus: a panel beside the corpus's documents that expands to full screen
// (`?chat=full`, so a reload keeps it). A citation opens the cited document at the passage (the
// viewer honours the focus request set before navigating).
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { api } from "../../api/client";
import type { Source } from "../../types/protocol";
import { ChatPanel } from "../widgets/chat/ChatPanel";
import { useConversationParam, useShowPassage } from "../widgets/chat/useChatRouting";

export function CorpusChat(props: { corpusId: number }) {
  const { corpusId } = props;
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const full = params.get("chat") === "full";
  const [conversationId, setConversationId] = useConversationParam();
  const showPassage = useShowPassage();
  const corpus = useQuery({
    queryKey: ["corpus", corpusId],
    queryFn: async () => {
      const { data } = await api.GET("/api/corpuses/{corpus_id}", {
        params: { path: { corpus_id: corpusId } },
      });
      return data ?? null;
    },
  });

  const setFull = useCallback(
    (on: boolean) =>
      setParams((current) => {
        const copy = new URLSearchParams(current);
        if (on) copy.set("chat", "full");
        else copy.delete("chat");
        return copy;
      }),
    [setParams],
  );
  useEffect(() => {
    if (!full) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("dialog[open]")) setFull(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [full, setFull]);

  const onCite = useCallback(
    (source: Source, sources: Source[]) => {
      showPassage(source, sources);
      navigate(`/documents/${source.document_id}?corpus=${corpusId}`);
    },
    [showPassage, navigate, corpusId],
  );

  return (
    <div className={full ? "corpus-chat corpus-chat--full" : "corpus-chat"}>
      <ChatPanel
        subject={{ corpusId }}
        conversationId={conversationId}
        onConversationChange={setConversationId}
        onCite={onCite}
        canWrite={corpus.data?.can_write ?? false}
        label="Corpus chat"
        title="Ask across this corpus"
        placeholder="Ask a question about these documents…"
        suggestions={[
          "Which agreements can be terminated early, and how?",
          "What are the payment terms?",
          "Which agreements renew automatically?",
        ]}
        layout={full ? "full" : "tray"}
        headerAction={
          <button
            type="button"
            className="btn btn-small"
            aria-pressed={full}
            onClick={() => setFull(!full)}
          >
            {full ? "Exit full screen" : "Full screen"}
          </button>
        }
      />
    </div>
  );
}
