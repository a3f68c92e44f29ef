/**
 * A strict reader of the DOT subset the call graph uses (digraph, subgraph, node
 * defaults, node and edge statements with attribute lists), for tests: it throws on
 * anything it does not understand, so a test that parses the output also checks it.
 */

/** A parsed digraph; attribute values are unescaped. */
export interface ParsedDot {
  name: string;
  nodes: Map<string, Record<string, string>>;
  edges: { from: string; to: string; attrs: Record<string, string> }[];
}

type Token = { kind: "id" | "string"; text: string } | { kind: "punct"; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && src[i + 1] === ">") {
      out.push({ kind: "punct", text: "->" });
      i += 2;
    } else if ("[]{}=;,".includes(c)) {
      out.push({ kind: "punct", text: c });
      i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (src[i] !== '"') {
        if (i >= src.length) throw new Error("unterminated string");
        if (src[i] === "\\") {
          const e = src[i + 1];
          text += e === '"' || e === "\\" ? e : `\\${e}`;
          i += 2;
        } else text += src[i++];
      }
      i++;
      out.push({ kind: "string", text });
    } else if (/[A-Za-z0-9_.#-]/.test(c)) {
      const m = /^[A-Za-z0-9_.#-]+/.exec(src.slice(i))!;
      out.push({ kind: "id", text: m[0] });
      i += m[0].length;
    } else {
      throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
    }
  }
  return out;
}

/** Parses `src` as a digraph; throws with the reason when it is not one. */
export function parseDot(src: string): ParsedDot {
  const t = tokenize(src);
  let p = 0;
  const next = (): Token => {
    const tok = t[p++];
    if (!tok) throw new Error("unexpected end of input");
    return tok;
  };
  const expect = (text: string): void => {
    const tok = next();
    if (tok.kind !== "punct" || tok.text !== text) throw new Error(`expected ${text}, got ${tok.text}`);
  };
  const ident = (): string => {
    const tok = next();
    if (tok.kind === "punct") throw new Error(`expected an identifier, got ${tok.text}`);
    return tok.text;
  };
  const attrs = (): Record<string, string> => {
    const out: Record<string, string> = {};
    expect("[");
    while (t[p]?.text !== "]" || t[p]?.kind !== "punct") {
      const k = ident();
      expect("=");
      out[k] = ident();
      if (t[p]?.kind === "punct" && (t[p]!.text === "," || t[p]!.text === ";")) p++;
    }
    p++;
    return out;
  };
  const first = next();
  if (first.text !== "digraph") throw new Error(`expected digraph, got ${first.text}`);
  const dot: ParsedDot = { name: ident(), nodes: new Map(), edges: [] };
  const statements = (): void => {
    expect("{");
    while (!(t[p]?.kind === "punct" && t[p]!.text === "}")) {
      const tok = t[p];
      if (tok?.kind === "id" && tok.text === "subgraph") {
        p++;
        ident();
        statements();
        continue;
      }
      if (tok?.kind === "id" && tok.text === "node") {
        p++;
        attrs();
        continue;
      }
      const id = ident();
      if (t[p]?.kind === "punct" && t[p]!.text === "->") {
        p++;
        const to = ident();
        dot.edges.push({ from: id, to, attrs: attrs() });
      } else {
        dot.nodes.set(id, attrs());
      }
      if (t[p]?.kind === "punct" && t[p]!.text === ";") p++;
    }
    p++;
  };
  statements();
  if (p !== t.length) throw new Error("content after the closing brace");
  for (const e of dot.edges) {
    if (!dot.nodes.has(e.from) || !dot.nodes.has(e.to)) throw new Error(`edge ${e.from} -> ${e.to} names an undeclared node`);
  }
  return dot;
}

/** Each node's first label line (its function name) by node ID. */
export function dotNodeNames(d: ParsedDot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, a] of d.nodes) out.set(id, (a["label"] ?? "").split("\\n")[0]!);
  return out;
}
