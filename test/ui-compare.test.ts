/**
 * The comparison and diff pages in a real Chromium: two selections side by side with
 * their totals, a window picked on one side's chart, and the diff's ranked table, whose
 * first row must name the function that got slower.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { CPU, cpuSeries, recentMs } from "./helpers/api.js";
import { download, dragAcrossChart, ensureUiBuilt, launchBrowser, saveScreenshot, skipReason, textOf, uiUrl, waitForValue, withPage } from "./helpers/browser.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const MS = 1_000_000;
const v1 = `${CPU}{version="v1"}`;
const v2 = `${CPU}{version="v2"}`;

/** The diff table's rows as [name, total Δ, total Δ %, self Δ, self Δ %, baseline %, comparison %]. */
async function diffRows(page: Page): Promise<string[][]> {
  const rows = page.getByTestId("diff-table").getByTestId("diff-row");
  await rows.first().waitFor();
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator("td").allInnerTexts()).map((s) => s.trim()));
  return out;
}

describe("UI comparison and diff", { skip: skipReason() ?? false }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    server = await startTestServer();
    const t = recentMs();
    const { push } = server.clients();
    // v2's compress takes 600 ms instead of 200 ms; everything else is unchanged.
    const stacks = (compressMs: number) => [
      { frames: ["main", "serve", "compress"], values: [1, compressMs * MS] },
      { frames: ["main", "serve", "encode"], values: [1, 300 * MS] },
      { frames: ["main", "idle"], values: [1, 500 * MS] },
    ];
    await push.push({
      series: [
        cpuSeries({ __name__: "process_cpu", service_name: "api", version: "v1" }, stacks(200), t),
        cpuSeries({ __name__: "process_cpu", service_name: "api", version: "v2" }, stacks(600), t),
      ],
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows two selections side by side, each with its own window", async () => {
    await withPage(browser, "ui-comparison-to-single", async (page) => {
      await page.goto(uiUrl(server.url, "comparison", { leftQuery: v1, rightQuery: v2, from: "now-1h", until: "now" }));
      await waitForValue(page, "left-flamegraph-total", 1000 * MS);
      await waitForValue(page, "right-flamegraph-total", 1400 * MS);
      assert.equal(await page.getByTestId("left-query-input").inputValue(), '{version="v1"}');
      assert.equal(await page.getByTestId("right-query-input").inputValue(), '{version="v2"}');
      assert.equal(await page.locator('canvas[data-testid="flameGraph"]').count(), 2);
      await saveScreenshot(page, "ui-comparison");

      // A window dragged on the left chart narrows the left side only.
      await dragAcrossChart(page, "left-timeline-chart", 0.02, 0.5);
      await page.waitForURL((u) => /^\d{10}$/.test(u.searchParams.get("leftFrom") ?? ""));
      const u = new URL(page.url());
      assert.equal(u.searchParams.get("rightFrom"), null);
      assert.match(await textOf(page, "left-time-range"), /^\d{4}-\d\d-\d\d /);
      // The profile is a minute old, so the first half of the hour holds nothing.
      assert.equal(await textOf(page, "left-flamegraph-empty"), "No data in this range");
      await waitForValue(page, "right-flamegraph-total", 1400 * MS);
      await saveScreenshot(page, "ui-comparison-left-window");

      // The single view's link carries the left selection.
      await page.getByTestId("nav-single").click();
      await page.waitForURL((x) => x.pathname === "/ui/" && x.searchParams.get("query") === v1);
      await waitForValue(page, "flamegraph-total", 1000 * MS);
    });
  });

  it("ranks the function that got slower first in the diff", async () => {
    await withPage(browser, "ui-diff", async (page) => {
      await page.goto(uiUrl(server.url, "comparison-diff", { leftQuery: v1, rightQuery: v2, from: "now-1h", until: "now" }));
      await waitForValue(page, "diff-flamegraph-left-total", 1000 * MS);
      await waitForValue(page, "diff-flamegraph-right-total", 1400 * MS);
      assert.ok(await page.locator('[data-testid="diff-flamegraph"] canvas[data-testid="flameGraph"]').isVisible());
      // compress: 20 % of v1, 600/1400 = 42.86 % of v2.
      const rows = await diffRows(page);
      assert.deepEqual(rows[0], ["compress", "+22.86 pp", "+114.3 %", "+22.86 pp", "+114.3 %", "20.00 %", "42.86 %"]);
      assert.deepEqual(rows.map((r) => r[0]), ["compress", "serve", "main", "encode", "idle"]);
      // Grafana's diff table names both sides too.
      await page.getByTestId("topTable").getByText("compress").waitFor();

      // Sorting: ascending total change puts the biggest loser of share first.
      await page.getByTestId("diff-sort-totalDelta").click();
      assert.equal((await diffRows(page))[0]![0], "idle");
      await page.getByTestId("diff-sort-name").click();
      assert.deepEqual((await diffRows(page)).map((r) => r[0]), ["compress", "encode", "idle", "main", "serve"]);

      await page.getByTestId("export-button").click();
      const d = await download(page, '[data-testid="export-json"]');
      const fb = JSON.parse(readFileSync(await d.path(), "utf8")) as { metadata: { format: string }; leftTicks: number; rightTicks: number };
      assert.deepEqual([fb.metadata.format, fb.leftTicks, fb.rightTicks], ["double", 1000 * MS, 1400 * MS]);
      await page.getByTestId("export-button").click();
      const png = await download(page, '[data-testid="export-png"]');
      assert.deepEqual([...readFileSync(await png.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    });
  });

  it("edits a side's selector from the diff page", async () => {
    await withPage(browser, "ui-diff-edit", async (page) => {
      await page.goto(uiUrl(server.url, "comparison-diff", { leftQuery: v1, rightQuery: v1 }));
      await waitForValue(page, "diff-flamegraph-right-total", 1000 * MS);
      const rows = await diffRows(page);
      assert.ok(rows.every((r) => r[1] === "0.00 pp"), `identical sides change nothing: ${JSON.stringify(rows)}`);
      await page.getByTestId("right-query-input").fill('{version="v2"}');
      await page.getByTestId("right-query-input").press("Enter");
      await page.waitForURL((u) => u.searchParams.get("rightQuery") === v2);
      await waitForValue(page, "diff-flamegraph-right-total", 1400 * MS);
      assert.equal((await diffRows(page))[0]![0], "compress");
    });
  });
});
