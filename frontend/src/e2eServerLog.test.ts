import { describe, expect, it } from "vitest";

import { serverErrors } from "../e2e/server-log";

describe("the e2e server log report", () => {
  it("keeps error lines and whole tracebacks, and drops the access log", () => {
    const log = [
      '127.0.0.1:5000 - - [01/Dec/2026:11:43:59] "GET /api/me" 200 120',
      "2026-12-01 11:43:59,348 INFO config.websocket turn started",
      "2026-12-01 11:44:00,001 ERROR django.request Internal Server Error: /api/me",
      "Traceback (most recent call last):",
      '  File "x.py", line 1, in f',
      "    raise ValueError('no')",
      "ValueError: no",
      "",
      "During handling of the above exception, another exception occurred:",
      '127.0.0.1:5001 - - [01/Dec/2026:11:44:01] "GET /api/me" 500 80',
    ].join("\n");
    expect(serverErrors(log)).toEqual([
      "2026-12-01 11:44:00,001 ERROR django.request Internal Server Error: /api/me",
      "Traceback (most recent call last):",
      '  File "x.py", line 1, in f',
      "    raise ValueError('no')",
      "ValueError: no",
    ]);
  });

  it("shows only the last lines of a long log", () => {
    const log = Array.from({ length: 200 }, (_, i) => `x ERROR line ${i}`).join("\n");
    const shown = serverErrors(log);
    expect(shown).toHaveLength(80);
    expect(shown.at(-1)).toBe("x ERROR line 199");
  });
});
