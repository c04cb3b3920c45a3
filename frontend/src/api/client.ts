// The one HTTP client: typed by the generated OpenAPI types, same-origin session cookie, CSRF header
// on unsafe methods (Django's CsrfViewMiddleware).
import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "../types/api";

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) request.headers.set("X-CSRFToken", csrfToken());
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);
