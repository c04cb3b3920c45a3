// Browser tests: Debian's Chromium (never Playwright's own download) against the real daphne,
// embedded PostgreSQL and seeded demo started by e2e/serve.sh.
import { defineConfig, devices } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const port = Number(process.env.OC_E2E_PORT ?? 8765);
const data = process.env.OC_E2E_DATA ?? mkdtempSync(join(tmpdir(), "oc-e2e-"));
process.env.OC_E2E_DATA = data; // the same folder in the config's worker processes

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  globalTeardown: "./e2e/server-log.ts",
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: "bash e2e/serve.sh",
    url: `http://127.0.0.1:${port}/api/openapi.json`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { OC_E2E_PORT: String(port), OC_E2E_DATA: data },
  },
});
