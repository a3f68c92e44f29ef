/**
 * `file_sd_configs`, compatible with Prometheus' `discovery/file`: every file matching the configured
 * paths (a glob allowed in the last path element) holds a JSON or YAML list of target groups. The
 * files are re-read when their directories change (fs.watch, debounced) and every
 * refresh_interval, in case an event was missed. Group `i` of a file has the source
 * `<file>:<i>` and the label `__meta_filepath`; groups of a file that vanished or shrank are sent
 * empty, and a file that cannot be parsed keeps the groups it had.
 */
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Logger } from "../../server/logger.js";
import type { YamlObject } from "../yaml-object.js";
import type { Discoverer, GroupSink, TargetGroup } from "./target-group.js";
import { MAX_TARGET_GROUPS_BYTES, SentGroups, groupSource, parseTargetGroups, toTargetGroups } from "./target-groups-json.js";

/** One `file_sd_configs` entry. */
export interface FileSdConfig {
  /** Paths or patterns (`*`, `?`, `[…]` in the last element), each ending in .json, .yml or .yaml. */
  files: string[];
  refreshIntervalMs: number;
}

/** Prometheus' default file_sd refresh interval, 5m. */
export const DEFAULT_FILE_SD_REFRESH_INTERVAL_MS = 5 * 60_000;

/** The label holding the file a group was read from. */
export const FILE_SD_FILEPATH_LABEL = "__meta_filepath";

// Prometheus' patFileSDName: at most the last element may hold a `*`, and the extension is fixed.
const FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
// Go's filepath hasMeta on Unix.
const GLOB_META = /[*?[\\]/;

/**
 * Compiles a `filepath.Match` pattern for one path element into a RegExp; throws on the patterns
 * Go rejects with ErrBadPattern (an unclosed or empty `[…]`, a dangling `\` or `-`).
 */
export function globElementRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  const bad = (): never => {
    throw new Error(`syntax error in pattern ${JSON.stringify(pattern)}`);
  };
  const lit = (c: string): string => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`;
  let i = 0;
  // One (possibly escaped) character inside a class.
  const classChar = (): string => {
    const c = chars[i];
    if (c === undefined || c === "-" || c === "]") return bad();
    i++;
    if (c !== "\\") return c;
    const next = chars[i++];
    return next ?? bad();
  };
  let re = "";
  while (i < chars.length) {
    const c = chars[i++] ?? "";
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\") re += lit(chars[i++] ?? bad());
    else if (c === "[") {
      const negate = chars[i] === "^";
      if (negate) i++;
      let ranges = "";
      for (let n = 0; ; n++) {
        if (chars[i] === "]" && n > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (chars[i] === "-") {
          i++;
          hi = classChar();
        }
        // Go accepts lo > hi as a range that matches nothing; a RegExp would not compile it.
        if ((lo.codePointAt(0) ?? 0) <= (hi.codePointAt(0) ?? 0)) ranges += `${lit(lo)}-${lit(hi)}`;
      }
      re += `[${negate ? "^" : ""}${ranges}]`;
    } else re += lit(c);
  }
  return new RegExp(`^${re}$`, "u");
}

/** Parses one `file_sd_configs` entry with Prometheus' checks; throws ConfigError with the YAML path. */
export function parseFileSdConfig(y: YamlObject): FileSdConfig {
  const files = y.strings("files");
  if (files.length === 0) y.fail("files", "file service discovery config must contain at least one path name");
  files.forEach((name, i) => {
    const at = `files.${i}`;
    if (!FILE_SD_NAME.test(name)) y.fail(at, `path name ${JSON.stringify(name)} is not valid for file discovery (it must end in .json, .yml or .yaml, a * only in the last path element)`);
    if (GLOB_META.test(dirname(name))) y.fail(at, `path name ${JSON.stringify(name)} is not valid for file discovery: patterns are allowed in the last path element only`);
    try {
      globElementRegExp(basename(name));
    } catch (err) {
      y.fail(at, err instanceof Error ? err.message : String(err));
    }
  });
  const refreshIntervalMs = y.duration("refresh_interval", DEFAULT_FILE_SD_REFRESH_INTERVAL_MS);
  if (refreshIntervalMs <= 0) y.fail("refresh_interval", "must be greater than 0");
  y.done();
  return { files, refreshIntervalMs };
}

/** Knobs for tests. */
export interface FileDiscovererOptions {
  /** Delay between a directory change and the re-read, so a burst of events reads once (default 100 ms). */
  debounceMs?: number;
  /** Watch directories with fs.watch (default true); the periodic refresh runs either way. */
  watch?: boolean;
  /** Largest file read (default 16 MiB). */
  maxFileBytes?: number;
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads target groups from files, re-reading them on change and periodically. Run it once. */
export class FileDiscoverer implements Discoverer {
  private readonly debounceMs: number;
  private readonly maxFileBytes: number;
  private readonly sent = new SentGroups();
  // File → number of groups it had at the last refresh (kept as is when the file failed to parse).
  private lastRefresh = new Map<string, number>();
  private readonly watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  private debounceTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private again = false;
  private failureCount = 0;
  private lastErr: string | undefined;

  constructor(
    private readonly cfg: FileSdConfig,
    private readonly logger: Logger,
    private readonly opts: FileDiscovererOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxFileBytes = opts.maxFileBytes ?? MAX_TARGET_GROUPS_BYTES;
  }

  /** How many file reads failed so far. */
  get failures(): number {
    return this.failureCount;
  }

  /** The last read failure, if any. */
  get lastError(): string | undefined {
    return this.lastErr;
  }

  /** Sends the groups of every matching file, then changes, until `signal` aborts. */
  async run(signal: AbortSignal, sink: GroupSink): Promise<void> {
    if (signal.aborted) return;
    const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    this.trigger(signal, sink, true);
    const timer = setInterval(() => this.trigger(signal, sink), this.cfg.refreshIntervalMs);
    try {
      await stopped;
    } finally {
      clearInterval(timer);
      clearTimeout(this.debounceTimer);
      await this.inflight;
      for (const { watcher } of this.watchers.values()) watcher.close();
      this.watchers.clear();
    }
  }

  // Starts a refresh, or asks the running one to go again once it is done.
  private trigger(signal: AbortSignal, sink: GroupSink, initial = false): void {
    if (signal.aborted) return;
    if (this.inflight !== undefined) {
      this.again = true;
      return;
    }
    this.inflight = (async () => {
      let first = initial;
      do {
        this.again = false;
        await this.refreshSafely(signal, sink, first);
        first = false;
      } while (this.again && !signal.aborted);
    })().finally(() => {
      this.inflight = undefined;
    });
  }

  private async refreshSafely(signal: AbortSignal, sink: GroupSink, initial: boolean): Promise<void> {
    try {
      await this.refresh(signal, sink, initial);
    } catch (err) {
      this.logger.error("file_sd refresh failed", { err: errorMessage(err) });
    }
  }

  private async refresh(signal: AbortSignal, sink: GroupSink, initial: boolean): Promise<void> {
    // Watch first, so that a change made while the files are read causes another read.
    if (this.opts.watch !== false) await this.watchDirs(signal, sink);
    const counts = new Map<string, number>();
    const out: TargetGroup[] = [];
    for (const file of await this.listFiles()) {
      if (signal.aborted) return;
      if (counts.has(file)) continue;
      let groups: TargetGroup[];
      try {
        groups = await this.readFile(file);
      } catch (err) {
        if (isNotFound(err)) continue; // Deleted since it was listed: its groups go below.
        this.failureCount++;
        this.lastErr = `${file}: ${errorMessage(err)}`;
        this.logger.warn("error reading file_sd file, keeping its previous targets", { path: file, err: errorMessage(err) });
        counts.set(file, this.lastRefresh.get(file) ?? 0);
        continue;
      }
      counts.set(file, groups.length);
      out.push(...this.sent.changed(groups));
    }
    const vanished: string[] = [];
    for (const [file, n] of this.lastRefresh) {
      for (let i = counts.get(file) ?? 0; i < n; i++) vanished.push(groupSource(file, i));
    }
    if (vanished.length > 0) this.logger.debug("file_sd groups removed", { groups: vanished.length });
    out.push(...this.sent.removed(vanished));
    this.lastRefresh = counts;
    if (signal.aborted) return;
    if (initial || out.length > 0) sink(out);
  }

  /** Every existing file matching the configured paths, in config order, each pattern's matches sorted. */
  private async listFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const pattern of this.cfg.files) {
      if (!GLOB_META.test(pattern)) {
        // As Go's filepath.Glob: a path without metacharacters is returned as written if it exists.
        try {
          await stat(pattern);
          out.push(pattern);
        } catch {
          // Absent: no match.
        }
        continue;
      }
      const dir = dirname(pattern);
      const re = globElementRegExp(basename(pattern));
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (re.test(name)) out.push(join(dir, name));
    }
    return out;
  }

  private async readFile(file: string): Promise<TargetGroup[]> {
    const st = await stat(file);
    if (!st.isFile()) throw new Error("not a regular file");
    if (st.size > this.maxFileBytes) throw new Error(`file of ${st.size} bytes exceeds the limit of ${this.maxFileBytes} bytes`);
    const fh = await open(file, "r");
    let content: Buffer;
    try {
      content = await fh.readFile();
    } finally {
      await fh.close();
    }
    const format = /\.json$/i.test(file) ? "json" : "yaml";
    return toTargetGroups(parseTargetGroups(content, format, this.maxFileBytes), file, FILE_SD_FILEPATH_LABEL, file);
  }

  // Watches the directory of every configured path; a directory that is missing now is tried again
  // at the next refresh, and one that was replaced (another inode) is watched anew.
  private async watchDirs(signal: AbortSignal, sink: GroupSink): Promise<void> {
    const dirs = new Set(this.cfg.files.map((f) => dirname(f)));
    for (const dir of dirs) {
      if (signal.aborted) return;
      let ino: number;
      try {
        ino = (await stat(dir)).ino;
      } catch {
        this.unwatch(dir);
        continue;
      }
      if (this.watchers.get(dir)?.ino === ino) continue;
      this.unwatch(dir);
      try {
        const watcher = watch(dir, () => this.changed(signal, sink));
        watcher.on("error", (err) => {
          this.logger.debug("file_sd watch failed", { path: dir, err: errorMessage(err) });
          this.unwatch(dir);
        });
        this.watchers.set(dir, { watcher, ino });
      } catch (err) {
        this.logger.warn("error adding file watch", { path: dir, err: errorMessage(err) });
      }
    }
  }

  private unwatch(dir: string): void {
    this.watchers.get(dir)?.watcher.close();
    this.watchers.delete(dir);
  }

  private changed(signal: AbortSignal, sink: GroupSink): void {
    if (signal.aborted) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.trigger(signal, sink), this.debounceMs);
  }
}
