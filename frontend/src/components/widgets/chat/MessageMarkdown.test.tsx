import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { source } from "../../../chat/frames.test-helpers";
import { MessageMarkdown, splitBlocks } from "./MessageMarkdown";

describe("splitBlocks", () => {
  it("splits at blank lines, never inside fenced code", () => {
    expect(splitBlocks("a\nb\n\nc\n\n\n```\nx\n\ny\n```\n\nd")).toEqual(["a\nb", "c", "```\nx\n\ny\n```", "d"]);
  });
});

describe("MessageMarkdown", () => {
  it("renders no raw HTML and drops javascript: links", () => {
    const { container } = render(
      <MessageMarkdown
        text={'Hi <img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3)) [ok](https://example.com)'}
        sources={[]}
        onCite={() => undefined}
      />,
    );
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    const links = [...container.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["https://example.com"]);
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it("turns [n] into pins for the n-th source, but not in code", () => {
    const onCite = vi.fn();
    const sources = [source(1), source(2)];
    const { container } = render(
      <MessageMarkdown text={"Rent is due [2] and [1]; see [9].\n\n`code [1]`"} sources={sources} onCite={onCite} />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Source 2" }));
    expect(onCite).toHaveBeenCalledWith(sources[1], 1);
    expect(screen.getAllByRole("button").map((b) => b.getAttribute("aria-label"))).toEqual(["Source 2", "Source 1"]);
    expect(container.textContent).toContain("[9]");
    expect(container.querySelector("code")?.textContent).toBe("code [1]");
  });

  it("renders GFM tables and code blocks", () => {
    const { container } = render(
      <MessageMarkdown text={"| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nlet x = 1;\n```"} sources={[]} onCite={() => undefined} />,
    );
    expect(container.querySelectorAll("td")).toHaveLength(2);
    expect(container.querySelector("pre code")?.textContent).toContain("let x = 1;");
  });
});
