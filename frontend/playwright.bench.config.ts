// Measurements, not tests: `npx playwright test --config playwright.bench.config.ts` prints the
// figures docs/performance.md quotes. The e2e server, with the scripted agent (tests/websocket/
// scripted_agents.py) so a query can ask for an exact number of words at an exact pace.
import { defineConfig } from "@playwright/test";

import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "bench",
  testMatch: "*.bench.ts",
  timeout: 180_000,
  webServer: base.webServer && !Array.isArray(base.webServer)
    ? {
        ...base.webServer,
        env: {
          ...base.webServer.env,
          OC_AGENT_FACTORY: "tests.websocket.scripted_agents.build_scripted_agent",
        },
      }
    : base.webServer,
});
