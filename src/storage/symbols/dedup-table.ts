/**
 * Deduplicates variable-length rows of uint32 (functions, mappings, locations):
 * each distinct row gets the next id. Rows live in one flat pool; lookup is an
 * open-addressing hash table of ids, so no object or string is made per row.
 */
import { grow, mix32, nextPow2 } from "../encoding/grow.js";

/** A get-or-insert table of uint32 rows. */
export class DedupTable {
  /** Row pool; row i is data[offsets[i] .. offsets[i+1]). */
  data = new Uint32Array(1024);
  offsets = new Uint32Array(257);
  /** Number of rows. */
  count = 0;
  private hashes = new Uint32Array(256);
  private slots = new Int32Array(512).fill(-1);

  /** The id of row `src[start .. start+len)`, inserting it if new. */
  insert(src: Uint32Array, start: number, len: number): number {
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = mix32(h, src[start + i]!);
    h >>>= 0;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.equals(id, src, start, len)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.count++;
    const off = this.offsets[id]!;
    this.data = grow(this.data, off + len);
    this.data.set(src.subarray(start, start + len), off);
    this.offsets = grow(this.offsets, id + 2);
    this.offsets[id + 1] = off + len;
    this.hashes = grow(this.hashes, id + 1);
    this.hashes[id] = h;
    this.slots[slot] = id;
    // Keep the load factor under 1/2 so probe chains stay short.
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** Offset of row `id` in `data`. */
  rowStart(id: number): number {
    return this.offsets[id]!;
  }

  /** Length of row `id`. */
  rowLength(id: number): number {
    return this.offsets[id + 1]! - this.offsets[id]!;
  }

  private equals(id: number, src: Uint32Array, start: number, len: number): boolean {
    const off = this.offsets[id]!;
    if (this.offsets[id + 1]! - off !== len) return false;
    for (let i = 0; i < len; i++) if (this.data[off + i] !== src[start + i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(nextPow2(this.count * 4)).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}
