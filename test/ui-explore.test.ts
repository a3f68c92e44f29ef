/**
 * The tag explorer in a real Chromium: one row per label value with its total and share,
 * and a value's flame graph below and in the single view.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { CPU, cpuTotal, recentMs } from "./helpers/api.js";
import { ensureUiBuilt, launchBrowser, saveScreenshot, skipReason, uiUrl, waitForValue, withPage } from "./helpers/browser.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const MS = 1_000_000;

describe("UI tag explorer", { skip: skipReason() ?? false }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    server = await startTestServer();
    const t = recentMs();
    const { push } = server.clients();
    const shop = (pod: string, ms: number) => cpuTotal({ __name__: "process_cpu", service_name: "shop", pod }, ms * MS, t, ["main", `work_${pod}`]);
    await push.push({ series: [shop("a", 600), shop("b", 300), shop("c", 100)] });
    await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "mail" }, 250 * MS, t)] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("groups by the label picked and drills into a value", async () => {
    await withPage(browser, "ui-explore-to-single", async (page) => {
      await page.goto(uiUrl(server.url, "explore", { query: `${CPU}{service_name="shop"}`, from: "now-1h", until: "now" }));
      // Without a choice the explorer groups by service_name; the labels of the type are offered.
      await page.waitForURL((u) => u.searchParams.get("groupBy") === "service_name");
      const labels = await page.getByTestId("explore-groupby").locator("option").allInnerTexts();
      assert.deepEqual(labels, ["pod", "service_name"]);
      await page.getByTestId("explore-groupby").selectOption("pod");
      await page.waitForURL((u) => u.searchParams.get("groupBy") === "pod");

      const rows = page.getByTestId("explore-table").getByTestId("explore-row");
      await rows.first().waitFor();
      const table: Array<[string | null, number, string]> = [];
      for (let i = 0; i < (await rows.count()); i++) {
        const r = rows.nth(i);
        table.push([await r.getAttribute("data-value"), Number(await r.locator('[data-col="total"]').getAttribute("data-value")), (await r.locator('[data-col="share"]').innerText()).trim()]);
      }
      assert.deepEqual(table, [
        ["a", 600 * MS, "60.00 %"],
        ["b", 300 * MS, "30.00 %"],
        ["c", 100 * MS, "10.00 %"],
      ]);
      assert.equal(await page.getByTestId("explore-timeline").locator(".u-legend .u-series").count(), 4, "a legend entry per value plus the time");

      await rows.filter({ hasText: "b" }).getByTestId("explore-value").click();
      await page.waitForURL((u) => u.searchParams.get("groupByValue") === "b");
      await waitForValue(page, "explore-flamegraph-total", 300 * MS);
      await page.getByTestId("explore-drilldown").getByText("work_b").first().waitFor();
      await saveScreenshot(page, "ui-explore");

      await page.getByTestId("explore-open-single").click();
      await page.waitForURL((u) => u.pathname === "/ui/" && u.searchParams.get("query") === `${CPU}{service_name="shop", pod="b"}`);
      await waitForValue(page, "flamegraph-total", 300 * MS);
      assert.equal(await page.getByTestId("query-input").inputValue(), '{service_name="shop", pod="b"}');
    });
  });

  it("compares services when grouped by service_name", async () => {
    await withPage(browser, "ui-explore-services", async (page) => {
      await page.goto(uiUrl(server.url, "explore", { query: `${CPU}{}`, groupBy: "service_name" }));
      const rows = page.getByTestId("explore-table").getByTestId("explore-row");
      await rows.first().waitFor();
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-value"))), ["shop", "mail"]);
      assert.deepEqual(await rows.locator('[data-col="share"]').allInnerTexts(), ["80.00 %", "20.00 %"]);
      assert.equal(await page.getByTestId("explore-groupby").inputValue(), "service_name");
    });
  });
});
