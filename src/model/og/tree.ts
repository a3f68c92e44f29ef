/**
 * The OG "tree" body (`format=tree`, `Content-Type: binary/octet-stream+tree`): a call
 * tree serialised node by node in pre-order, each node a whole frame name and its self
 * value, without the dictionary that Pyroscope's own storage used for names. Layout in
 * docs/format/og-ingest.md.
 *
 * Pyroscope turns each node back into a `;`-joined key and re-inserts it, so a name that
 * holds `;` becomes several frames, a trailing empty segment is dropped, and the root
 * (whose name writers leave empty) contributes no sample. We give the same stacks.
 */
import { ByteCursor, invalidBody } from "./byte-cursor.js";
import type { StackSink } from "./stack-sink.js";
import { tryDecodeUtf8 } from "./utf8.js";

const MIN_NODE_BYTES = 3;
const SEMI = 59;

/**
 * Parses a tree body into `sink` (whose `pos` is the byte offset of the node being read).
 * Trees may follow each other in one body; an empty body is an empty profile.
 */
export function parseTree(body: Uint8Array, sink: StackSink): void {
  const cur = new ByteCursor(body, "tree");
  let path = new Uint32Array(64);
  let pathLen = 0;
  const left: number[] = [];
  const pathLenAt: number[] = [];

  const push = (id: number): void => {
    if (pathLen === path.length) {
      const next = new Uint32Array(path.length * 2);
      next.set(path);
      path = next;
    }
    path[pathLen++] = id;
  };

  const readNode = (isRoot: boolean): void => {
    const at = cur.pos;
    sink.pos = at;
    const nameLen = cur.uvarint("name length");
    const nameBytes = cur.bytes(nameLen, `name of the node at byte ${at}`);
    const self = cur.uvarint("self value");
    const children = cur.uvarint("child count");
    if (children * MIN_NODE_BYTES > cur.remaining) {
      invalidBody("tree", `node at byte ${at} has ${children} children but only ${cur.remaining} bytes remain`);
    }
    if (!isRoot) {
      const name = tryDecodeUtf8(nameBytes);
      if (name === undefined) sink.fail("node name is not valid UTF-8");
      let start = 0;
      for (;;) {
        const semi = name.indexOf(";", start);
        if (semi < 0) break;
        push(sink.frame(name.slice(start, semi)));
        start = semi + 1;
      }
      push(sink.frame(start === 0 ? name : name.slice(start)));
      if (self !== 0) {
        // The last segment is empty when the name is "" or ends in ';': no frame.
        const n = nameLen === 0 || nameBytes[nameLen - 1] === SEMI ? pathLen - 1 : pathLen;
        if (n > 0) sink.add(path, n, self);
      }
    }
    if (children !== 0) {
      left.push(children);
      pathLenAt.push(pathLen);
    }
  };

  while (cur.remaining > 0) {
    pathLen = 0;
    readNode(true);
    while (left.length > 0) {
      const top = left.length - 1;
      if (left[top] === 0) {
        left.pop();
        pathLenAt.pop();
        continue;
      }
      left[top]!--;
      pathLen = pathLenAt[top]!;
      readNode(false);
    }
  }
}
