// The chat beside a document (the document page's resizable right pane; on phones the Chat tab).
// It places the shared ChatPanel and shows a cited passage in this document's viewer, or opens the
// cited document. `onShowDocument` switches a phone back to the document at the passage.
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useNavigate } from "react-router";

import { api } from "../../../../api/client";
import type { Source } from "../../../../types/protocol";
import { ChatPanel } from "../../../widgets/chat/ChatPanel";
import {
  useConversationParam,
  useDocumentSuggestions,
  useShowPassage,
} from "../../../widgets/chat/useChatRouting";

export function ChatTray(props: { documentId: number; corpusId?: number; onShowDocument?: () => void }) {
  const { documentId, corpusId, onShowDocument } = props;
  const navigate = useNavigate();
  const [conversationId, setConversationId] = useConversationParam();
  const showPassage = useShowPassage();
  const document = useQuery({
    queryKey: ["document", documentId],
    queryFn: async () => {
      const { data } = await api.GET("/api/documents/{document_id}", {
        params: { path: { document_id: documentId } },
      });
      return data ?? null;
    },
  });
  const suggestions = useDocumentSuggestions(documentId, document.data?.title ?? "");

  const onCite = useCallback(
    (source: Source, sources: Source[]) => {
      showPassage(source, sources);
      onShowDocument?.();
      if (source.document_id !== documentId) {
        const corpus = source.corpus_id ?? corpusId;
        navigate(`/documents/${source.document_id}${corpus ? `?corpus=${corpus}` : ""}`);
      }
    },
    [showPassage, onShowDocument, documentId, corpusId, navigate],
  );

  return (
    <div className="chat-tray">
      <ChatPanel
        subject={{ documentId, corpusId: corpusId ?? null }}
        conversationId={conversationId}
        onConversationChange={setConversationId}
        onCite={onCite}
        canWrite={document.data?.can_write ?? false}
        label="Document chat"
        title="Ask about this document"
        placeholder="Ask a question about this document…"
        suggestions={suggestions}
        layout="tray"
      />
    </div>
  );
}
