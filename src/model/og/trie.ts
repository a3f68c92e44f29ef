/**
 * The OG "trie" body (`format=trie`, `Content-Type: binary/octet-stream+trie`): a radix
 * trie of `;`-joined stack keys, serialised node by node in pre-order. A node's name is a
 * byte fragment of the key, not a whole frame, so the key of a node is the concatenation
 * of the names from the root down, and a frame name (even a UTF-8 sequence) may be split
 * between nodes. Every node whose value is non-zero contributes its key with that value.
 * Layout in docs/format/og-ingest.md.
 */
import { ByteCursor, invalidBody } from "./byte-cursor.js";
import type { StackSink } from "./stack-sink.js";
import { tryDecodeUtf8 } from "./utf8.js";

// name length, value and child count are one byte each at least.
const MIN_NODE_BYTES = 3;

/**
 * Parses a trie body into `sink` (whose `pos` is the byte offset of the node being read).
 * The body may hold several tries back to back, as Pyroscope's reader allows; an empty
 * body is an empty profile.
 */
export function parseTrie(body: Uint8Array, sink: StackSink): void {
  const cur = new ByteCursor(body, "trie");
  let key = new Uint8Array(256);
  let keyLen = 0;
  // Per open node: children not yet read, and the key length after its name.
  const left: number[] = [];
  const lenAt: number[] = [];

  const readNode = (): void => {
    const at = cur.pos;
    sink.pos = at;
    const nameLen = cur.uvarint("name length");
    const name = cur.bytes(nameLen, `name of the node at byte ${at}`);
    if (keyLen + nameLen > key.length) {
      const next = new Uint8Array(Math.max(keyLen + nameLen, key.length * 2));
      next.set(key.subarray(0, keyLen));
      key = next;
    }
    key.set(name, keyLen);
    keyLen += nameLen;
    const value = cur.uvarint("value");
    const children = cur.uvarint("child count");
    if (children * MIN_NODE_BYTES > cur.remaining) {
      invalidBody("trie", `node at byte ${at} has ${children} children but only ${cur.remaining} bytes remain`);
    }
    if (value !== 0) {
      sink.chargeKeyBytes(keyLen);
      const stack = tryDecodeUtf8(key.subarray(0, keyLen));
      if (stack === undefined) sink.fail("the stack ending at this node is not valid UTF-8");
      sink.addKey(stack, value);
    }
    if (children !== 0) {
      left.push(children);
      lenAt.push(keyLen);
    }
  };

  while (cur.remaining > 0) {
    keyLen = 0;
    readNode();
    while (left.length > 0) {
      const top = left.length - 1;
      if (left[top] === 0) {
        left.pop();
        lenAt.pop();
        continue;
      }
      left[top]!--;
      keyLen = lenAt[top]!;
      readNode();
    }
  }
}
