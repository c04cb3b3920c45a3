// The full-screen chat across a corpus. A citation opens the cited document at the passage
// (the viewer honours the focus request set before navigating).
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useNavigate } from "react-router";

import { api } from "../../api/client";
import type { Source } from "../../types/protocol";
import { ChatPanel } from "../widgets/chat/ChatPanel";
import { useConversationParam, useShowPassage } from "../widgets/chat/useChatRouting";

export function CorpusChat(props: { corpusId: number }) {
  const { corpusId } = props;
  const navigate = useNavigate();
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
  const title = corpus.data?.title ?? "this corpus";

  const onCite = useCallback(
    (source: Source, sources: Source[]) => {
      showPassage(source, sources);
      navigate(`/documents/${source.document_id}?corpus=${corpusId}`);
    },
    [showPassage, navigate, corpusId],
  );

  return (
    <div className="corpus-chat">
      <ChatPanel
        subject={{ corpusId }}
        conversationId={conversationId}
        onConversationChange={setConversationId}
        onCite={onCite}
        canWrite={corpus.data?.can_write ?? false}
        title={`Ask across ${title}`}
        placeholder="Ask a question about these documents…"
        suggestions={[
          "Which documents mention termination?",
          "What are the payment terms?",
          "Which agreements renew automatically?",
        ]}
        layout="full"
      />
    </div>
  );
}
