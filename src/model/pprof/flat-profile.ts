/**
 * A decoded pprof profile held in typed arrays: one object per profile, none per
 * sample, location or function. References between tables are *indices* into the
 * other tables (not pprof ids); -1 means "none". Strings are indices into `strings`.
 *
 * 64-bit addresses are split into hi/lo uint32 halves so that no precision is lost
 * and no bigint is created on the hot path.
 */
export interface FlatProfile {
  /** The string table; strings[0] is "". */
  strings: string[];

  /** sampleTypes[2*i] = type, sampleTypes[2*i+1] = unit (string indices). */
  sampleTypes: Int32Array;
  /** Number of values per sample (= sampleTypes.length / 2). */
  valuesPerSample: number;

  /** Number of samples. */
  sampleCount: number;
  /** values[s * valuesPerSample + i] is sample s's value for sample type i. */
  values: Float64Array;
  /** Sample s's locations are locs[locOffsets[s] .. locOffsets[s+1]), leaf first. */
  locOffsets: Uint32Array;
  /** Location indices (into the location tables below). */
  locs: Uint32Array;
  /** Sample s's labels are labelKey/labelStr/labelNum/labelNumUnit[labelOffsets[s] .. labelOffsets[s+1]). */
  labelOffsets: Uint32Array;
  labelKey: Int32Array;
  /** String index, 0 when the label is numeric. */
  labelStr: Int32Array;
  labelNum: Float64Array;
  labelNumUnit: Int32Array;

  /** Number of locations. */
  locationCount: number;
  /** Original pprof location ids. */
  locationId: Float64Array;
  /** Mapping index, or -1. */
  locationMapping: Int32Array;
  locationAddressHi: Uint32Array;
  locationAddressLo: Uint32Array;
  locationIsFolded: Uint8Array;
  /** Location l's lines are line*[lineOffsets[l] .. lineOffsets[l+1]); the last one is the caller. */
  lineOffsets: Uint32Array;
  /** Function index, or -1. */
  lineFunction: Int32Array;
  lineNumber: Float64Array;

  /** Number of functions. */
  functionCount: number;
  /** Original pprof function ids. */
  functionId: Float64Array;
  functionName: Int32Array;
  functionSystemName: Int32Array;
  functionFilename: Int32Array;
  functionStartLine: Float64Array;

  /** Number of mappings. */
  mappingCount: number;
  /** Original pprof mapping ids. */
  mappingId: Float64Array;
  mappingStartHi: Uint32Array;
  mappingStartLo: Uint32Array;
  mappingLimitHi: Uint32Array;
  mappingLimitLo: Uint32Array;
  mappingOffsetHi: Uint32Array;
  mappingOffsetLo: Uint32Array;
  mappingFilename: Int32Array;
  mappingBuildId: Int32Array;
  /** Bit 0 has_functions, 1 has_filenames, 2 has_line_numbers, 3 has_inline_frames. */
  mappingFlags: Uint8Array;

  dropFrames: number;
  keepFrames: number;
  /** Nanoseconds since epoch (exact: a bigint is kept here, once per profile). */
  timeNanos: bigint;
  durationNanos: bigint;
  /** periodType[0] = type, periodType[1] = unit (string indices); [0, 0] when absent. */
  periodType: Int32Array;
  period: number;
  comments: Int32Array;
  defaultSampleType: number;
}

/** Bit flags of FlatProfile.mappingFlags. */
export const MappingFlag = {
  HasFunctions: 1,
  HasFilenames: 2,
  HasLineNumbers: 4,
  HasInlineFrames: 8,
} as const;
