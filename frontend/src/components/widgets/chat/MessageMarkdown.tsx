// An answer's Markdown, safe and cheap while streaming: split into blocks, each memoised, so a
// token re-parses only the last block. No raw HTML (react-markdown escapes it without rehype-raw),
// links only to http(s)/mailto (javascript: and the like are dropped), and the `[n]` markers become
// citation pins for the n-th source of the turn.
import { memo, type ReactNode } from "react";
import Markdown, { type Components, defaultUrlTransform } from "react-markdown";
import remarkGfm from "remark-gfm";

import type { Source } from "../../../types/protocol";

const CITE = "cite:";
const SAFE_LINK = /^(https?:|mailto:|#|\/)/i;

/** Split at blank lines outside fenced code, so a block is complete once the next one starts. */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (const line of text.split("\n")) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker[0] ?? null;
      else if (marker.startsWith(fence)) fence = null;
    }
    if (fence === null && line.trim() === "" && current.length) {
      blocks.push(current.join("\n"));
      current = [];
    } else if (fence !== null || line.trim() !== "") {
      current.push(line);
    }
  }
  if (current.length) blocks.push(current.join("\n"));
  return blocks;
}

interface MdastNode {
  type: string;
  value?: string;
  url?: string;
  children?: MdastNode[];
}

/** A remark plugin: `[n]` in text (never in code) becomes a link to `cite:n`. */
function remarkCitations() {
  const walk = (node: MdastNode) => {
    if (!node.children) return;
    if (node.type === "link" || node.type === "linkReference") return;
    const children: MdastNode[] = [];
    for (const child of node.children) {
      if (child.type !== "text" || !child.value || !/\[\d+\]/.test(child.value)) {
        walk(child);
        children.push(child);
        continue;
      }
      let last = 0;
      for (const match of child.value.matchAll(/\[(\d+)\]/g)) {
        const at = match.index;
        if (at > last) children.push({ type: "text", value: child.value.slice(last, at) });
        children.push({
          type: "link",
          url: `${CITE}${match[1]}`,
          children: [{ type: "text", value: match[1] ?? "" }],
        });
        last = at + match[0].length;
      }
      if (last < child.value.length) children.push({ type: "text", value: child.value.slice(last) });
    }
    node.children = children;
  };
  return (tree: MdastNode) => walk(tree);
}

function urlTransform(url: string): string {
  if (url.startsWith(CITE)) return url;
  const safe = defaultUrlTransform(url);
  return SAFE_LINK.test(safe) ? safe : "";
}

export interface CiteHandler {
  (source: Source, index: number): void;
}

interface BlockProps {
  text: string;
  sources: Source[];
  onCite: CiteHandler;
}

const Block = memo(function Block({ text, sources, onCite }: BlockProps) {
  const components: Components = {
    a({ href, children }): ReactNode {
      if (href?.startsWith(CITE)) {
        const n = Number(href.slice(CITE.length));
        const source = sources[n - 1];
        if (!source) return <span className="cite-missing">[{n}]</span>;
        return (
          <button
            type="button"
            className="cite-pin"
            aria-label={`Source ${n}`}
            title={`Source ${n}: page ${source.page}`}
            onClick={() => onCite(source, n - 1)}
          >
            {n}
          </button>
        );
      }
      if (!href) return <span>{children}</span>;
      return (
        <a href={href} target="_blank" rel="noopener noreferrer nofollow">
          {children}
        </a>
      );
    },
    img({ alt }) {
      return <span className="md-image">[image: {alt}]</span>; // no remote loads from answers
    },
  };
  return (
    <Markdown remarkPlugins={[remarkGfm, remarkCitations]} urlTransform={urlTransform} components={components}>
      {text}
    </Markdown>
  );
});

export function MessageMarkdown({ text, sources, onCite }: BlockProps) {
  const blocks = splitBlocks(text);
  return (
    <div className="md">
      {blocks.map((block, i) => (
        <Block key={i} text={block} sources={sources} onCite={onCite} />
      ))}
    </div>
  );
}
