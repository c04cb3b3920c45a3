// Global teardown: the e2e server's log stays out of the test output (e2e/serve.sh writes it to
// $OC_E2E_DATA/server.log); after the run, its error lines and tracebacks are printed here so a
// failing run still shows what the server said.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SHOWN = 80;

/** The log's error lines and whole tracebacks (the last SHOWN lines of them). */
export function serverErrors(log: string): string[] {
  const shown: string[] = [];
  let inTraceback = false;
  for (const line of log.split("\n")) {
    if (line.startsWith("Traceback")) inTraceback = true;
    if (inTraceback) {
      shown.push(line);
      // A traceback ends at its first unindented line that is not a chained traceback's header.
      const header = /^(Traceback|During handling|The above exception)/.test(line);
      if (line !== "" && !/^\s/.test(line) && !header) inTraceback = false;
    } else if (/ (ERROR|CRITICAL) /.test(line)) {
      shown.push(line);
    }
  }
  return shown.slice(-SHOWN);
}

export default function reportServerLog(): void {
  const data = process.env.OC_E2E_DATA;
  const path = data ? join(data, "server.log") : "";
  if (!path || !existsSync(path)) return;
  const errors = serverErrors(readFileSync(path, "utf8"));
  if (errors.length === 0) {
    console.log(`e2e server log: ${path} (no errors)`);
    return;
  }
  console.log(`e2e server log: ${path}; its last error lines:\n${errors.join("\n")}`);
}
