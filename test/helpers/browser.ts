/**
 * Browser side of the UI tests: Debian's Chromium driven by playwright-core, a page that
 * fails the test on any console or page error, screenshots under test-results/, and a
 * build of web/ when web/dist is missing or older than its sources.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, Download, Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEB = join(ROOT, "web");
const RESULTS = join(ROOT, "test-results");

/** Why the UI tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is not installed`;
}

/** Launches headless Chromium with the flags that work in a container without a GPU or sandbox. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds the UI unless web/dist is newer than everything it is built from. Test files run in
 * parallel processes, so a lock directory keeps two builds from writing dist at once.
 */
export function ensureUiBuilt(): void {
  const lock = join(WEB, ".build-lock");
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than the deadline was left by a crash.
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      sleepMs(500);
    }
  }
  try {
    // The same script npm start runs: installs web/'s packages if needed, rebuilds when sources changed.
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-ui.mjs")], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, `scripts/build-ui.mjs failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** How withPage opens its page. */
export interface PageOptions {
  /** Console errors the test expects (e.g. the browser's note about a 400 answer). */
  allowConsole?: RegExp[];
  viewport?: { width: number; height: number };
}

/**
 * Runs `fn` on a fresh page (its own context, so no shared localStorage), then saves the
 * screenshot `name` and fails if the page logged a console error or threw. A failing `fn`
 * leaves `<name>-failed.png` behind.
 */
export async function withPage(browser: Browser, name: string, fn: (page: Page) => Promise<void>, opts: PageOptions = {}): Promise<void> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = `${m.text()} (${m.location().url})`;
    if (!(opts.allowConsole ?? []).some((re) => re.test(text))) errors.push(`console error: ${text}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  try {
    await fn(page);
    await saveScreenshot(page, name);
  } catch (err) {
    await saveScreenshot(page, `${name}-failed`).catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}${errors.length ? `\npage errors:\n${errors.join("\n")}` : ""}`, { cause: err });
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], `${name}: the page logged errors`);
}

/** Clicks `selector` and returns the download it starts. */
export async function download(page: Page, selector: string): Promise<Download> {
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 20_000 }), page.click(selector)]);
  return d;
}

/** The trimmed text of the element with `testId`, waiting for it to appear. */
export async function textOf(page: Page, testId: string): Promise<string> {
  const el = page.getByTestId(testId);
  await el.waitFor({ state: "visible" });
  return (await el.innerText()).trim();
}

/** The URL of a UI page (`""`, `explore`, `comparison`, `comparison-diff`) with query parameters. */
export function uiUrl(serverUrl: string, page: string, params: Record<string, string> = {}): string {
  const qs = new URLSearchParams(params).toString();
  return `${serverUrl}/ui/${page}${qs ? `?${qs}` : ""}`;
}

/** Drags across the uPlot chart inside `testId` from `fromFrac` to `toFrac` of its plot width. */
export async function dragAcrossChart(page: Page, testId: string, fromFrac: number, toFrac: number): Promise<void> {
  const over = page.getByTestId(testId).locator(".u-over");
  await over.waitFor({ state: "visible" });
  const box = await over.boundingBox();
  assert.ok(box, `${testId} has no plot area`);
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * fromFrac, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((fromFrac + toFrac) / 2), y, { steps: 5 });
  await page.mouse.move(box.x + box.width * toFrac, y, { steps: 5 });
  await page.mouse.up();
}

/** The `data-value` of the element with `testId` as a number, waiting for it to appear. */
export async function numberOf(page: Page, testId: string): Promise<number> {
  const el = page.getByTestId(testId);
  await el.waitFor({ state: "visible" });
  return Number(await el.getAttribute("data-value"));
}

/**
 * Waits until the `data-value` of `testId` equals `expected` (a view may still show the
 * previous answer for a moment after the URL changed); fails with the last value seen.
 */
export async function waitForValue(page: Page, testId: string, expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    const el = page.getByTestId(testId);
    last = (await el.count()) > 0 ? await el.first().getAttribute("data-value") : null;
    if (last !== null && Number(last) === expected) return;
    if (Date.now() > deadline) assert.fail(`${testId}: expected data-value ${expected}, last saw ${String(last)}`);
    await page.waitForTimeout(100);
  }
}
