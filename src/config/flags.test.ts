import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FlagError } from "../model/errors.js";
import { defaultsOf, getPath, setPath } from "./field.js";
import type { Field } from "./field.js";
import { formatFlagHelp, formatHelp, parseFlags } from "./flags.js";
import type { BinaryOptions } from "./flags.js";

const fields: readonly Field[] = [
  { flag: "server.http-listen-port", yaml: "server.http_listen_port", kind: "int", default: 4100, help: "HTTP server listen port." },
  { flag: "log.level", yaml: "server.log_level", kind: "string", default: "info", help: "Log level." },
  { flag: "auth.multitenancy-enabled", yaml: "multitenancy_enabled", kind: "bool", default: false, help: "Tenancy." },
  { flag: "target", yaml: "target", kind: "csv", default: ["all"], help: "Modules." },
  { flag: "secret.port", yaml: "secret.port", kind: "int", default: 9095, hidden: true, help: "Hidden port." },
];

interface Parsed {
  config: Record<string, unknown>;
  binary: BinaryOptions;
  positional: readonly string[];
}

function parse(argv: string[]): Parsed {
  const result = parseFlags(argv, fields);
  assert.equal(result.kind, "flags");
  if (result.kind !== "flags") throw new Error("unreachable");
  const config = defaultsOf(fields);
  for (const { field, value } of result.assignments) setPath(config, field.yaml, value);
  return { config, binary: result.binary, positional: result.positional };
}

describe("parseFlags: Go flag syntax", () => {
  const cases: Array<{ name: string; argv: string[]; path: string; want: unknown; positional?: string[] }> = [
    { name: "-name=value", argv: ["-server.http-listen-port=1"], path: "server.http_listen_port", want: 1 },
    { name: "--name=value", argv: ["--server.http-listen-port=2"], path: "server.http_listen_port", want: 2 },
    { name: "-name value", argv: ["-server.http-listen-port", "3"], path: "server.http_listen_port", want: 3 },
    { name: "--name value", argv: ["--log.level", "debug"], path: "server.log_level", want: "debug" },
    { name: "value with =", argv: ["-log.level=a=b"], path: "server.log_level", want: "a=b" },
    { name: "empty value after =", argv: ["-log.level="], path: "server.log_level", want: "" },
    { name: "value that looks like a flag", argv: ["-log.level", "-x"], path: "server.log_level", want: "-x" },
    { name: "last one wins", argv: ["-log.level=a", "-log.level=b"], path: "server.log_level", want: "b" },
    { name: "bool alone", argv: ["-auth.multitenancy-enabled"], path: "multitenancy_enabled", want: true },
    { name: "bool =false", argv: ["-auth.multitenancy-enabled=false"], path: "multitenancy_enabled", want: false },
    { name: "bool --=true", argv: ["--auth.multitenancy-enabled=true"], path: "multitenancy_enabled", want: true },
    { name: "bool =1", argv: ["-auth.multitenancy-enabled=1"], path: "multitenancy_enabled", want: true },
    {
      name: "bool never consumes the next argument",
      argv: ["-auth.multitenancy-enabled", "false"],
      path: "multitenancy_enabled",
      want: true,
      positional: ["false"],
    },
    {
      name: "-- ends the flags",
      argv: ["-log.level=a", "--", "-log.level=b"],
      path: "server.log_level",
      want: "a",
      positional: ["-log.level=b"],
    },
    {
      name: "first non-flag ends the flags",
      argv: ["run", "-log.level=b", "-unknown"],
      path: "server.log_level",
      want: "info",
      positional: ["run", "-log.level=b", "-unknown"],
    },
    { name: "lone dash is positional", argv: ["-", "-log.level=b"], path: "server.log_level", want: "info", positional: ["-", "-log.level=b"] },
    { name: "csv target", argv: ["-target=ingester,distributor"], path: "target", want: ["ingester", "distributor"] },
    { name: "no arguments", argv: [], path: "target", want: ["all"] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parse(c.argv);
      assert.deepEqual(getPath(parsed.config, c.path), c.want);
      assert.deepEqual(parsed.positional, c.positional ?? []);
    });
  }
});

describe("parseFlags: errors use Go's exact messages", () => {
  const cases: Array<{ name: string; argv: string[]; message: string }> = [
    { name: "unknown flag", argv: ["-nope"], message: "flag provided but not defined: -nope" },
    { name: "unknown flag with value", argv: ["--nope=1"], message: "flag provided but not defined: -nope" },
    { name: "unknown before help", argv: ["-nope", "-h"], message: "flag provided but not defined: -nope" },
    { name: "missing value", argv: ["-server.http-listen-port"], message: "flag needs an argument: -server.http-listen-port" },
    { name: "missing value, double dash", argv: ["--log.level"], message: "flag needs an argument: -log.level" },
    {
      name: "bad int",
      argv: ["-server.http-listen-port=http"],
      message: 'invalid value "http" for flag -server.http-listen-port: parse error',
    },
    {
      name: "bad int as next argument",
      argv: ["-server.http-listen-port", "x"],
      message: 'invalid value "x" for flag -server.http-listen-port: parse error',
    },
    {
      name: "bad bool",
      argv: ["-auth.multitenancy-enabled=yes"],
      message: 'invalid boolean value "yes" for -auth.multitenancy-enabled: parse error',
    },
    { name: "three dashes", argv: ["---log.level=a"], message: "bad flag syntax: ---log.level=a" },
    { name: "dash equals", argv: ["-=a"], message: "bad flag syntax: -=a" },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => parseFlags(c.argv, fields), (err: unknown) => {
        assert.ok(err instanceof FlagError);
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }
});

describe("parseFlags: help and binary flags", () => {
  for (const argv of [["-h"], ["-help"], ["--help"], ["--h"], ["-log.level=debug", "-help"], ["-help=false"]]) {
    test(`help for ${argv.join(" ")}`, () => assert.deepEqual(parseFlags(argv, fields), { kind: "help" }));
  }

  test("help stops parsing before later bad flags", () => {
    assert.deepEqual(parseFlags(["-h", "-nope"], fields), { kind: "help" });
  });

  const binary: Array<{ argv: string[]; want: Partial<BinaryOptions> }> = [
    { argv: ["-config.file=/etc/phlare.yaml"], want: { configFile: "/etc/phlare.yaml" } },
    { argv: ["-config.file", "p.yaml", "-config.expand-env"], want: { configFile: "p.yaml", expandEnv: true } },
    { argv: ["-modules"], want: { modules: true } },
    { argv: ["-version"], want: { version: true } },
    { argv: ["-help-all"], want: { helpAll: true } },
  ];
  for (const c of binary) {
    test(`binary ${c.argv.join(" ")}`, () => {
      const parsed = parse(c.argv);
      for (const [key, value] of Object.entries(c.want)) assert.equal(parsed.binary[key as keyof BinaryOptions], value);
    });
  }

  test("binary flags stay out of the config tree", () => {
    const result = parseFlags(["-config.file=x.yaml", "-log.level=debug"], fields);
    assert.ok(result.kind === "flags");
    assert.deepEqual(
      result.assignments.map((a) => a.field.flag),
      ["log.level"],
    );
  });

  test("a table flag clashing with a binary flag is a programming error", () => {
    const clash: Field = { flag: "version", yaml: "x.version", kind: "bool", default: false, help: "" };
    assert.throws(() => parseFlags([], [clash]), /defined twice/);
  });
});

describe("formatHelp", () => {
  const lines: Array<{ name: string; field: Field; text: string }> = [
    {
      name: "int with default",
      field: fields[0] as Field,
      text: "  -server.http-listen-port int\n    \tHTTP server listen port. (default 4100)\n",
    },
    { name: "string default quoted", field: fields[1] as Field, text: '  -log.level string\n    \tLog level. (default "info")\n' },
    { name: "bool has no kind word or zero default", field: fields[2] as Field, text: "  -auth.multitenancy-enabled\n    \tTenancy.\n" },
    { name: "list is a value", field: fields[3] as Field, text: "  -target value\n    \tModules. (default all)\n" },
    {
      name: "duration default in Go form",
      field: { flag: "t", yaml: "t", kind: "duration", default: 3_600_000, help: "Timeout." },
      text: "  -t duration\n    \tTimeout. (default 1h0m0s)\n",
    },
    {
      name: "zero duration default hidden",
      field: { flag: "t", yaml: "t", kind: "duration", default: 0, help: "Timeout." },
      text: "  -t duration\n    \tTimeout.\n",
    },
    {
      name: "model duration is a value",
      field: { flag: "lookback", yaml: "l", kind: "model-duration", default: 604_800_000, help: "Lookback." },
      text: "  -lookback value\n    \tLookback. (default 1w)\n",
    },
    {
      name: "float",
      field: { flag: "rate", yaml: "r", kind: "float", default: 4, help: "Rate." },
      text: "  -rate float\n    \tRate. (default 4)\n",
    },
    {
      name: "custom value unquoted",
      field: { flag: "log.format", yaml: "f", kind: "string", default: "logfmt", customValue: true, help: "Format." },
      text: "  -log.format value\n    \tFormat. (default logfmt)\n",
    },
    {
      name: "back-quoted name",
      field: { flag: "dir", yaml: "d", kind: "string", default: "", help: "Store in `directory`." },
      text: "  -dir directory\n    \tStore in directory.\n",
    },
    {
      name: "short bool on one line",
      field: { flag: "x", yaml: "x", kind: "bool", default: true, help: "X." },
      text: "  -x\tX. (default true)\n",
    },
    {
      name: "multi-line help indented",
      field: { flag: "m", yaml: "m", kind: "int", default: 0, help: "One.\nTwo." },
      text: "  -m int\n    \tOne.\n    \tTwo.\n",
    },
  ];
  for (const c of lines) {
    test(c.name, () => assert.equal(formatFlagHelp(c.field), c.text));
  }

  test("starts with the usage line and lists flags sorted by name", () => {
    const text = formatHelp(fields, false);
    assert.ok(text.startsWith("Usage of phlare:\n  -auth.multitenancy-enabled\n"));
    const names = [...text.matchAll(/^ {2}-(\S+)/gm)].map((m) => m[1] as string);
    assert.deepEqual(names, [...names].sort());
    for (const name of ["config.file", "config.expand-env", "h", "help", "help-all", "modules", "version", "target"]) {
      assert.ok(names.includes(name), name);
    }
    assert.match(text, /^ {2}-h\tPrint basic help\.$/m);
  });

  test("-help hides hidden flags, -help-all shows them", () => {
    assert.doesNotMatch(formatHelp(fields, false), /secret\.port/);
    assert.match(formatHelp(fields, true), /^ {2}-secret\.port int\n {4}\tHidden port\. \(default 9095\)$/m);
  });
});
