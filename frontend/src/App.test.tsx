import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeAll, expect, test, vi } from "vitest";

type Handler = (request: Request) => Response | Promise<Response>;
let handler: Handler = () => new Response("{}", { status: 500 });
// The API client captures `fetch` when it is created: stub it before the app is imported.
vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) =>
  handler(input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"), init)),
);
let App: typeof import("./App").App;
beforeAll(async () => {
  ({ App } = await import("./App"));
});
afterEach(() => {
  cleanup();
  window.history.pushState({}, "", "/");
});

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const demo = { username: "demo", password: "demo-password" };
const user = { id: 1, username: "demo", email: "", first_name: "", last_name: "" };

test("signed out, any URL shows the sign-in form with the demo login, which fills the fields", async () => {
  window.history.pushState({}, "", "/corpora/1");
  handler = () => json({ user: null, demo_login: demo });
  render(<App />);
  expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Use demo login" }));
  expect((screen.getByLabelText("Username") as HTMLInputElement).value).toBe("demo");
  expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("demo-password");
});

test("a wrong password shows the server's message", async () => {
  handler = (request) =>
    request.method === "POST"
      ? json({ code: "invalid_credentials", message: "The username or password is wrong." }, 401)
      : json({ user: null, demo_login: null });
  render(<App />);
  fireEvent.change(await screen.findByLabelText("Username"), { target: { value: "demo" } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: "nope" } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
  expect((await screen.findByRole("alert")).textContent).toBe("The username or password is wrong.");
  expect(screen.queryByText("Demo login")).toBeNull();
});

test("signed in, a corpus URL opens that corpus with its documents and the chat slot", async () => {
  window.history.pushState({}, "", "/corpora/7");
  handler = (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/auth/session") return json({ user, demo_login: null });
    if (path === "/api/corpuses/7") {
      return json({
        id: 7, title: "Leases", description: "All the leases.", is_public: false, llm_model: "",
        creator: "demo", document_count: 0, can_write: true, created: "2026-01-02T00:00:00Z",
        modified: "2026-01-02T00:00:00Z",
      });
    }
    if (path === "/api/documents") return json({ items: [], count: 0, page: 1, page_size: 100 });
    return json({ code: "not_found", message: "Not found." }, 404);
  };
  render(<App />);
  expect(await screen.findByRole("heading", { name: "Leases" })).toBeTruthy();
  expect(screen.getByText("All the leases.")).toBeTruthy();
  expect(await screen.findByText("This corpus has no documents yet")).toBeTruthy();
  expect(screen.getByRole("region", { name: "Corpus chat" })).toBeTruthy();
  expect(screen.getByLabelText("Upload documents")).toBeTruthy();
});
