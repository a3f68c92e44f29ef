/** The binary building blocks every on-disk format shares: checksum, varints, reader and writer. */
export { crc32c, crc32cRange } from "./crc32c.js";
export {
  MAX_UVARINT53_BYTES,
  MAX_UVARINT64_BYTES,
  putUvarint,
  putUvarintBig,
  uvarintLength,
  zigzagDecode,
  zigzagDecodeBig,
  zigzagEncode,
  zigzagEncodeBig,
} from "./varint.js";
export { ByteReader } from "./byte-reader.js";
export { ByteWriter } from "./byte-writer.js";
export { grow, mix32, nextPow2 } from "./grow.js";
