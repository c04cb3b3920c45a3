import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";

import { ChatConnection, type ConnectionDeps } from "../../../chat/connection";
import { f, syncState } from "../../../chat/frames.test-helpers";
import { applyFrames } from "../../../chat/reducer";

const renders = new Map<string, number>();
vi.mock("./MessageMarkdown", () => ({
  MessageMarkdown: ({ text }: { text: string }) => {
    renders.set(text.slice(0, 6), (renders.get(text.slice(0, 6)) ?? 0) + 1);
    return <p>{text}</p>;
  },
}));

const { ChatThread } = await import("./ChatThread");

const deps = {} as ConnectionDeps; // the socket is never opened: frames go to the store directly

function wrap(children: ReactNode) {
  return <QueryClientProvider client={new QueryClient()}>{children}</QueryClientProvider>;
}

describe("ChatThread", () => {
  it("a token re-renders the streaming message only", () => {
    globalThis.ResizeObserver ??= class {
      observe() {}
      disconnect() {}
      unobserve() {}
    } as unknown as typeof ResizeObserver;
    const connection = new ChatConnection({ documentId: 7 }, deps);
    connection.chat.update((s) =>
      applyFrames(s, [
        syncState(),
        f.start(11, 1, "q1"),
        f.finish(11, 2, "first answer"),
        f.start(13, 1, "q2"),
        f.content(13, 2, "second "),
      ]),
    );
    const actions = { onCite: vi.fn(), onRetry: vi.fn(), onReviewApproval: vi.fn() };
    render(wrap(<ChatThread connection={connection} empty={null} {...actions} />));
    expect(screen.getByRole("log", { name: "Conversation" }).getAttribute("aria-live")).toBe("off");
    expect(renders.get("first ")).toBe(1);
    const before = renders.get("second") ?? 0;
    act(() => connection.chat.update((s) => applyFrames(s, [f.content(13, 3, "answer")])));
    expect(screen.getByText("second answer")).toBeTruthy();
    expect(renders.get("second")).toBe(before + 1);
    expect(renders.get("first ")).toBe(1);
    expect(screen.getByRole("status").textContent).toBe("Answer started");
  });
});
