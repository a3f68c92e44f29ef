/**
 * Java frame names as Pyroscope renders them: `<class>.<method>`, with the class name as
 * the JVM spells it (`java/lang/Thread.run`). Names the JVM or a library generates anew in
 * every process (reflection accessors, lambda classes, unpacked native libraries) have
 * their varying part replaced by "_", so one application's profiles merge across restarts.
 */

const ACCESSOR = /^(jdk\/internal\/reflect\/GeneratedMethodAccessor)\d+$/;
// Foo$$Lambda$669.0x0000000800fd7318, Foo$$Lambda.0x00007ffa600c4da0, Foo$$Lambda$12/1234, Foo$$Lambda123
const LAMBDA = /^(.+\$\$Lambda)(?:\$?\d*[./](?:0x)?[\da-f]+|\d+)$/;
const ZSTD_JNI = /^(?:\.?\/tmp\/)?libzstd-jni-\d+\.\d+\.\d+-\d+\.so(?: \(deleted\))?$/;
const CORRETTO =
  /^(?:\.?\/tmp\/)?(?:lib)?amazonCorrettoCryptoProvider(?:NativeLibraries\.)?[0-9a-f]{16}(?:\/libcrypto|\/libamazonCorrettoCryptoProvider)?\.so(?: \(deleted\))?$/;
const ASYNC_PROFILER =
  /^(?:\.?\/tmp\/)?libasyncProfiler-(?:linux-arm64|linux-musl-x64|linux-x64|macos)-17b9a1d8156277a98ccc871afa9a8f69215f92\.so(?: \(deleted\))?$/;

/** `symbol` with the per-process part of a generated class or library name replaced by "_". */
export function mergeGeneratedName(symbol: string): string {
  if (symbol.includes("$$Lambda")) return symbol.replace(LAMBDA, "$1_");
  if (symbol.includes("GeneratedMethodAccessor")) return symbol.replace(ACCESSOR, "$1_");
  if (!symbol.includes(".so")) return symbol;
  if (ZSTD_JNI.test(symbol)) return "libzstd-jni-_.so";
  if (CORRETTO.test(symbol)) return "libamazonCorrettoCryptoProvider_.so";
  if (ASYNC_PROFILER.test(symbol)) return "libasyncProfiler-_.so";
  return symbol;
}

/** The frame name of method `methodName` of class `className`, both as the recording spells them. */
export function javaFrameName(className: string, methodName: string): string {
  return `${mergeGeneratedName(className)}.${mergeGeneratedName(methodName)}`;
}
