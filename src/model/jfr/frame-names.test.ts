import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { javaFrameName, mergeGeneratedName } from "./frame-names.js";

describe("frame names", () => {
  it("joins class and method with a dot, keeping the JVM's slashes", () => {
    assert.equal(javaFrameName("java/lang/Thread", "run"), "java/lang/Thread.run");
    assert.equal(javaFrameName("", "__GI___pthread_mutex_lock"), ".__GI___pthread_mutex_lock");
  });

  const cases: Array<[string, string]> = [
    ["jdk/internal/reflect/GeneratedMethodAccessor31", "jdk/internal/reflect/GeneratedMethodAccessor_"],
    ["org/example/rideshare/OrderService$$Lambda$669.0x0000000800fd7318", "org/example/rideshare/OrderService$$Lambda_"],
    ["Fib$$Lambda.0x00007ffa600c4da0", "Fib$$Lambda_"],
    ["App$$Lambda$12/1234567", "App$$Lambda_"],
    ["App$$Lambda123", "App$$Lambda_"],
    ["scala/collection/compat/MapExtensionMethods$$$Lambda$621.0x00000008014070b8", "scala/collection/compat/MapExtensionMethods$$$Lambda_"],
    ["libzstd-jni-1.5.1-16931311898282279136.so", "libzstd-jni-_.so"],
    ["/tmp/libzstd-jni-1.5.5-4.so (deleted)", "libzstd-jni-_.so"],
    ["./tmp/libamazonCorrettoCryptoProvider109b39cf33c563eb.so", "libamazonCorrettoCryptoProvider_.so"],
    ["./tmp/amazonCorrettoCryptoProviderNativeLibraries.7382c2f79097f415/libcrypto.so (deleted)", "libamazonCorrettoCryptoProvider_.so"],
    ["libasyncProfiler-linux-x64-17b9a1d8156277a98ccc871afa9a8f69215f92.so", "libasyncProfiler-_.so"],
    // Left alone: not generated, or not in a recognised shape.
    ["java/lang/invoke/LambdaMetafactory", "java/lang/invoke/LambdaMetafactory"],
    ["libasyncProfiler-linux-x64-505cc169188276c919be50bc1b47e8f236295f.so", "libasyncProfiler-linux-x64-505cc169188276c919be50bc1b47e8f236295f.so"],
    ["libjvm.so", "libjvm.so"],
    ["sun/reflect/GeneratedMethodAccessor7", "sun/reflect/GeneratedMethodAccessor7"],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(mergeGeneratedName(input), want));
  }
});
