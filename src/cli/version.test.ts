import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { goPlatform, versionInfo, versionText } from "./version.js";

describe("version", () => {
  test("versionText has Prometheus's layout", () => {
    const text = versionText({
      version: "0.1.0",
      branch: "main",
      revision: "abc1234",
      buildUser: "ci@builder",
      buildDate: "20240101-00:00:00",
      runtimeVersion: "node v20.19.0",
      platform: "linux/amd64",
    });
    assert.equal(
      text,
      "phlare, version 0.1.0 (branch: main, revision: abc1234)\n" +
        "  build user:       ci@builder\n" +
        "  build date:       20240101-00:00:00\n" +
        "  go version:       node v20.19.0\n" +
        "  platform:         linux/amd64\n",
    );
  });

  test("build facts come from the environment", () => {
    const info = versionInfo({
      PHLARE_REVISION: "deadbee",
      PHLARE_BRANCH: "release-1",
      PHLARE_BUILD_USER: "me@host",
      PHLARE_BUILD_DATE: "20240202-10:00:00",
    });
    assert.equal(info.revision, "deadbee");
    assert.equal(info.branch, "release-1");
    assert.equal(info.buildUser, "me@host");
    assert.equal(info.buildDate, "20240202-10:00:00");
    assert.equal(info.version, "0.1.0");
    assert.equal(info.runtimeVersion, `node ${process.version}`);
  });

  test("the build date is never the current time", () => {
    assert.equal(versionInfo({}).buildDate, "unknown");
    assert.equal(versionInfo({}).buildUser, "unknown");
  });

  const platforms: Array<{ platform: string; arch: string; want: string }> = [
    { platform: "linux", arch: "x64", want: "linux/amd64" },
    { platform: "linux", arch: "arm64", want: "linux/arm64" },
    { platform: "darwin", arch: "arm64", want: "darwin/arm64" },
    { platform: "win32", arch: "ia32", want: "windows/386" },
  ];
  for (const c of platforms) {
    test(`platform ${c.platform}/${c.arch}`, () => assert.equal(goPlatform(c.platform, c.arch), c.want));
  }
});
