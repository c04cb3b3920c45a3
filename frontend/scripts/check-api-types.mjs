// Fails when src/types/api.ts is not what openapi-typescript makes of src/types/openapi.json.
// (tests/api/test_openapi_export.py fails when openapi.json drifts from the live API.)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = join(mkdtempSync(join(tmpdir(), "oc-api-")), "api.ts");
execFileSync("node_modules/.bin/openapi-typescript", ["src/types/openapi.json", "-o", out], {
  stdio: "ignore",
});
if (readFileSync(out, "utf8") !== readFileSync("src/types/api.ts", "utf8")) {
  console.error("src/types/api.ts is stale: run `make api-types` and commit the result.");
  process.exit(1);
}
console.log("src/types/api.ts matches src/types/openapi.json");
