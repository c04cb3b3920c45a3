import { describe, expect, it } from "vitest";

import { excerpt, plainText } from "./plainText";

describe("a passage as plain words", () => {
  it("drops heading, emphasis and code markers and joins the lines", () => {
    const passage = "# Commercial Lease\n**Harbor Point** Office\n\n## 1. Premises\nThe `Tenant` __shall__ pay";
    expect(plainText(passage)).toBe("Commercial Lease Harbor Point Office 1. Premises The Tenant shall pay");
  });

  it("keeps a hash that is not a heading and single asterisks of arithmetic", () => {
    expect(plainText("Suite #710 costs 2 * 3 units")).toBe("Suite #710 costs 2 * 3 units");
  });

  it("cuts at max characters with an ellipsis, and only when longer", () => {
    expect(excerpt("abcdef", 6)).toBe("abcdef");
    expect(excerpt("abcdefg", 6)).toBe("abcde…");
  });
});
