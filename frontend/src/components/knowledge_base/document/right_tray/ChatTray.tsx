// The chat beside a document: a resizable sidebar on wide screens, a full-screen sheet on phones
// (a citation closes the sheet so the passage shows). It places the shared ChatPanel and shows a
// cited passage in this document's viewer (or opens the cited document).
import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, type PointerEvent, useCallback, useEffect, useState } from "react";
import { useNavigate } from "react-router";

import { api } from "../../../../api/client";
import type { Source } from "../../../../types/protocol";
import { ChatPanel } from "../../../widgets/chat/ChatPanel";
import {
  useConversationParam,
  useDocumentSuggestions,
  useShowPassage,
} from "../../../widgets/chat/useChatRouting";

const MIN_WIDTH = 320;
const MAX_WIDTH = 760;
const WIDTH_KEY = "oc.chatTray.width";
const PHONE = "(max-width: 720px)";

function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.matchMedia(PHONE).matches);
  useEffect(() => {
    const query = window.matchMedia(PHONE);
    const change = () => setPhone(query.matches);
    query.addEventListener("change", change);
    return () => query.removeEventListener("change", change);
  }, []);
  return phone;
}

function clampWidth(width: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(width)));
}

export function ChatTray(props: { documentId: number; corpusId?: number }) {
  const { documentId, corpusId } = props;
  const navigate = useNavigate();
  const phone = usePhone();
  const [sheetOpen, setSheetOpen] = useState(false);
  const [width, setWidth] = useState(() => clampWidth(Number(localStorage.getItem(WIDTH_KEY)) || 420));
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
  const title = document.data?.title ?? "this document";
  const suggestions = useDocumentSuggestions(documentId, document.data?.title ?? "");

  useEffect(() => localStorage.setItem(WIDTH_KEY, String(width)), [width]);

  const onCite = useCallback(
    (source: Source, sources: Source[]) => {
      showPassage(source, sources);
      if (phone) setSheetOpen(false);
      if (source.document_id !== documentId) {
        const corpus = source.corpus_id ?? corpusId;
        navigate(`/documents/${source.document_id}${corpus ? `?corpus=${corpus}` : ""}`);
      }
    },
    [showPassage, phone, documentId, corpusId, navigate],
  );

  const startDrag = (event: PointerEvent<HTMLDivElement>) => {
    const startX = event.clientX;
    const startWidth = width;
    const move = (e: globalThis.PointerEvent) => setWidth(clampWidth(startWidth + startX - e.clientX));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };
  const keyResize = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "ArrowLeft") setWidth((w) => clampWidth(w + 24));
    if (event.key === "ArrowRight") setWidth((w) => clampWidth(w - 24));
  };

  const panel = (
    <ChatPanel
      subject={{ documentId, corpusId: corpusId ?? null }}
      conversationId={conversationId}
      onConversationChange={setConversationId}
      onCite={onCite}
      canWrite={document.data?.can_write ?? false}
      title={`Ask about ${title}`}
      placeholder="Ask a question about this document…"
      suggestions={suggestions}
      layout="tray"
    />
  );

  if (phone) {
    return (
      <>
        {!sheetOpen && (
          <button type="button" className="btn btn-primary chat-fab" onClick={() => setSheetOpen(true)}>
            💬 Chat
          </button>
        )}
        <aside className="chat-sheet" hidden={!sheetOpen} aria-label="Chat">
          <button type="button" className="btn btn-small chat-sheet-close" onClick={() => setSheetOpen(false)}>
            ← Document
          </button>
          {panel}
        </aside>
      </>
    );
  }
  return (
    <aside className="chat-tray" style={{ width }} aria-label="Chat">
      <div
        className="chat-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the chat"
        aria-valuemin={MIN_WIDTH}
        aria-valuemax={MAX_WIDTH}
        aria-valuenow={width}
        tabIndex={0}
        onPointerDown={startDrag}
        onKeyDown={keyResize}
      />
      {panel}
    </aside>
  );
}
