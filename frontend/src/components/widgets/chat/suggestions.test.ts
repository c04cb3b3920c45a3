import { describe, expect, it } from "vitest";

import { headingOf, suggestQuestions } from "./suggestions";

describe("suggested questions", () => {
  it("reads headings at the start of passages", () => {
    expect(headingOf("## 4. Rent and Deposit\nThe tenant pays…")).toBe("Rent and Deposit");
    expect(headingOf("Section 2 Term\n…")).toBe("Term");
    expect(headingOf("The tenant shall pay rent monthly.")).toBeNull();
    expect(headingOf("Definitions\n…")).toBeNull();
  });

  it("asks about the outline's sections, then the title", () => {
    const passages = ["# Commercial Lease\n…", "## 1. Premises\n…", "## 2. Rent\n…", "## 2. Rent\n(cont.)"];
    expect(suggestQuestions("Lease", passages)).toEqual([
      "What does it say about premises?",
      "What does it say about rent?",
      "What are the key terms of “Lease”?",
    ]);
    expect(suggestQuestions("Lease", [])).toEqual(["What are the key terms of “Lease”?"]);
  });
});
