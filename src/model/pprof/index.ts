/** The pprof codec: decode, normalise and encode profiles held as FlatProfile typed arrays. */
export type { FlatProfile } from "./flat-profile.js";
export { MappingFlag } from "./flat-profile.js";
export { decodePprof } from "./decode.js";
export { encodePprof } from "./encode.js";
export { normalizePprof } from "./normalize.js";
export type { NormalizeOptions } from "./normalize.js";
export { isGzip, maybeGunzip, maybeGunzipAsync } from "./gzip.js";
export { ProtoWriter, WireType } from "./writer.js";
