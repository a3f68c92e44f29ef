/**
 * The web UI's single view in a real Chromium against a real server: profile types, the
 * flame graph's total and top table, label autocompletion, drag-to-zoom, the range picker,
 * loading indicators, every export format, a bad selector's error, an empty range, and the
 * whole app under -server.path-prefix.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import type { Browser } from "playwright-core";
import { PushRequestSchema } from "../src/gen/push/v1/push_pb.js";
import { decodePprof } from "../src/model/pprof/index.js";
import { CPU, CPU_SAMPLES, cpuSeries, cpuTotal, postProto, recentMs } from "./helpers/api.js";
import { download, dragAcrossChart, ensureUiBuilt, launchBrowser, skipReason, textOf, uiUrl, waitForValue, withPage } from "./helpers/browser.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const MS = 1_000_000;
const checkoutQuery = `${CPU}{service_name="checkout"}`;

describe("UI single view", { skip: skipReason() ?? false }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    server = await startTestServer();
    const t = recentMs();
    const { push } = server.clients();
    // checkout: 1 s in 3 samples, render the hottest; other: 400 ms in 1 sample.
    await push.push({
      series: [
        cpuSeries({ __name__: "process_cpu", service_name: "checkout" }, [
          { frames: ["main", "handle", "parse"], values: [1, 200 * MS] },
          { frames: ["main", "handle", "render"], values: [1, 500 * MS] },
          { frames: ["main", "gc"], values: [1, 300 * MS] },
        ], t),
        cpuSeries({ __name__: "process_cpu", service_name: "other" }, [{ frames: ["main", "idle"], values: [1, 400 * MS] }], t),
      ],
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lists the profile types and shows the flame graph with its total and top table", async () => {
    await withPage(browser, "ui-single-view", async (page) => {
      await page.goto(`${server.url}/`);
      // The bare root picks CPU time and writes it into the URL under /ui/.
      await page.waitForURL((u) => u.pathname === "/ui/" && u.searchParams.get("query") === `${CPU}{}`);
      const options = await page.getByTestId("profile-type-select").locator("option").allInnerTexts();
      assert.deepEqual(options, [CPU, CPU_SAMPLES]);
      await waitForValue(page, "flamegraph-total", 1400 * MS);
      assert.equal(await textOf(page, "flamegraph-total"), "1.4 s");
      // Grafana's own header and top table say the same.
      await page.getByText("1.40 s | 1.40 Bil samples (Time)").waitFor();
      const rows = page.getByTestId("topTable").getByRole("row");
      await rows.nth(1).waitFor();
      const cells = async (row: number): Promise<string[]> =>
        (await rows.nth(row).getByRole("cell").allInnerTexts()).map((s) => s.trim()).filter((s) => s !== "");
      // Sorted by self: the hottest function first; the root row carries the whole total.
      assert.deepEqual(await cells(1), ["render", "500 ms", "500 ms"]);
      const all = await Promise.all(Array.from({ length: (await rows.count()) - 1 }, (_, i) => cells(i + 1)));
      assert.deepEqual(all.find((r) => r[0] === "total"), ["total", "0 ns", "1.40 s"]);
      assert.ok(await page.getByTestId("timeline-chart").locator("canvas").count() > 0, "the timeline draws a canvas");
      assert.ok(await page.locator('canvas[data-testid="flameGraph"]').isVisible());

      await page.getByTestId("profile-type-select").selectOption(CPU_SAMPLES);
      await page.waitForURL((u) => u.searchParams.get("query") === `${CPU_SAMPLES}{}`);
      await waitForValue(page, "flamegraph-total", 4);
    });
  });

  it("completes label names and values and runs the selector", async () => {
    await withPage(browser, "ui-single-autocomplete", async (page) => {
      await page.goto(uiUrl(server.url, "", { query: `${CPU}{}`, from: "now-1h", until: "now" }));
      await waitForValue(page, "flamegraph-total", 1400 * MS);
      const input = page.getByTestId("query-input");
      await input.click();
      await input.fill("{serv");
      const suggestions = page.getByTestId("query-input-suggestions").getByTestId("suggestion");
      await suggestions.first().waitFor();
      assert.deepEqual(await suggestions.allInnerTexts(), ["service_name"]);
      await suggestions.first().click();
      assert.equal(await input.inputValue(), '{service_name="}');
      await page.getByTestId("query-input-suggestions").getByText("checkout").waitFor();
      assert.deepEqual(await suggestions.allInnerTexts(), ["checkout", "other"]);
      await suggestions.filter({ hasText: "checkout" }).click();
      assert.equal(await input.inputValue(), '{service_name="checkout"}');
      await input.press("Enter");
      await page.waitForURL((u) => u.searchParams.get("query") === checkoutQuery);
      await waitForValue(page, "flamegraph-total", 1000 * MS);
    });
  });

  it("zooms into the range dragged on the timeline", async () => {
    await withPage(browser, "ui-single-zoom", async (page) => {
      await page.goto(uiUrl(server.url, "", { query: checkoutQuery, from: "now-1h", until: "now" }));
      await waitForValue(page, "flamegraph-total", 1000 * MS);
      await dragAcrossChart(page, "timeline-chart", 0.02, 0.995);
      await page.waitForURL((u) => /^\d{10}$/.test(u.searchParams.get("from") ?? "") && /^\d{10}$/.test(u.searchParams.get("until") ?? ""));
      const u = new URL(page.url());
      const fromS = Number(u.searchParams.get("from"));
      const untilS = Number(u.searchParams.get("until"));
      const nowS = Date.now() / 1000;
      assert.ok(untilS - fromS > 1800 && untilS - fromS < 3600, `zoomed range ${fromS}..${untilS}`);
      assert.ok(untilS <= nowS + 5 && untilS > nowS - 120, `until ${untilS} near now ${nowS}`);
      // The profile (a minute old) is inside the zoomed range, and the picker names absolute dates.
      await waitForValue(page, "flamegraph-total", 1000 * MS);
      assert.match(await textOf(page, "time-range"), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-\d\d-\d\d/);
    });
  });

  it("picks preset and absolute ranges", async () => {
    await withPage(browser, "ui-single-range-picker", async (page) => {
      await page.goto(uiUrl(server.url, "", { query: checkoutQuery }));
      await waitForValue(page, "flamegraph-total", 1000 * MS);
      assert.equal(await textOf(page, "time-range"), "Last 1 hour");
      await page.getByTestId("time-range").click();
      await page.getByTestId("time-range-preset-now-15m").click();
      await page.waitForURL((u) => u.searchParams.get("from") === "now-15m" && u.searchParams.get("until") === "now");
      assert.equal(await textOf(page, "time-range"), "Last 15 minutes");
      await waitForValue(page, "flamegraph-total", 1000 * MS);

      // An absolute range typed as local dates lands in the URL as Unix seconds.
      await page.getByTestId("time-range").click();
      await page.getByTestId("time-range-from").fill("2001-09-09 03:00:00");
      await page.getByTestId("time-range-until").fill("2001-09-09 04:00:00");
      await page.getByTestId("time-range-apply").click();
      const fromS = String(new Date(2001, 8, 9, 3).getTime() / 1000);
      const untilS = String(new Date(2001, 8, 9, 4).getTime() / 1000);
      await page.waitForURL((u) => u.searchParams.get("from") === fromS && u.searchParams.get("until") === untilS);
      assert.equal(await textOf(page, "flamegraph-empty"), "No data in this range");

      // A range that ends before it starts is refused in the picker.
      await page.getByTestId("time-range").click();
      await page.getByTestId("time-range-from").fill("now");
      await page.getByTestId("time-range-until").fill("now-1h");
      await page.getByTestId("time-range-apply").click();
      assert.match(await textOf(page, "time-range-error"), /not after the start time/);
    });
  });

  it("shows a loading indicator while each query runs", async () => {
    await withPage(browser, "ui-single-loading", async (page) => {
      // Hold the answers back until the indicators have been seen.
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      await page.route(/\/pyroscope\/render\?|SelectSeries$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(uiUrl(server.url, "", { query: checkoutQuery }));
      await page.getByTestId("flamegraph-loading").waitFor();
      await page.getByTestId("timeline-loading").waitFor();
      release();
      await waitForValue(page, "flamegraph-total", 1000 * MS);
      await page.getByTestId("timeline-chart").waitFor();
      assert.equal(await page.getByTestId("flamegraph-loading").count(), 0);
    });
  });

  it("exports pprof, flamebearer JSON, collapsed text, speedscope and PNG", async () => {
    await withPage(browser, "ui-single-export", async (page) => {
      await page.goto(uiUrl(server.url, "", { query: checkoutQuery, from: "now-1h", until: "now" }));
      await waitForValue(page, "flamegraph-total", 1000 * MS);
      const file = async (id: string): Promise<{ name: string; bytes: Buffer }> => {
        await page.getByTestId("export-button").click();
        const d = await download(page, `[data-testid="export-${id}"]`);
        const path = await d.path();
        return { name: d.suggestedFilename(), bytes: readFileSync(path) };
      };

      const pprof = await file("pprof");
      assert.equal(pprof.name, "profile.pb.gz");
      const profile = decodePprof(gunzipSync(pprof.bytes));
      assert.equal(profile.strings[profile.sampleTypes[0]!], "cpu");
      assert.equal(profile.values.reduce((a, b) => a + b, 0), 1000 * MS);

      const json = await file("json");
      assert.equal(json.name, "flamebearer.json");
      const fb = JSON.parse(json.bytes.toString("utf8")) as { flamebearer: { numTicks: number; names: string[] } };
      assert.equal(fb.flamebearer.numTicks, 1000 * MS);
      assert.ok(fb.flamebearer.names.includes("render"));

      const collapsed = await file("collapsed");
      const lines = collapsed.bytes.toString("utf8").trim().split("\n").sort();
      assert.deepEqual(lines, ["main;gc 300000000", "main;handle;parse 200000000", "main;handle;render 500000000"]);

      const speedscope = await file("speedscope");
      const ss = JSON.parse(speedscope.bytes.toString("utf8")) as {
        $schema: string;
        shared: { frames: Array<{ name: string }> };
        profiles: Array<{ type: string; unit: string; samples: number[][]; weights: number[] }>;
      };
      assert.equal(ss.$schema, "https://www.speedscope.app/file-format-schema.json");
      const p = ss.profiles[0]!;
      assert.equal(p.type, "sampled");
      assert.equal(p.unit, "nanoseconds");
      assert.equal(p.weights.reduce((a, b) => a + b, 0), 1000 * MS);
      const stacks = p.samples.map((s) => s.map((i) => ss.shared.frames[i]!.name).join(";")).sort();
      assert.deepEqual(stacks, ["main;gc", "main;handle;parse", "main;handle;render"]);

      const png = await file("png");
      assert.equal(png.name, "flamegraph.png");
      assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(png.bytes.length > 2000, `PNG of ${png.bytes.length} bytes`);
    });
  });

  it("shows the server's message for a bad selector", async () => {
    await withPage(
      browser,
      "ui-single-bad-selector",
      async (page) => {
        await page.goto(uiUrl(server.url, "", { query: `${CPU}{}` }));
        await waitForValue(page, "flamegraph-total", 1400 * MS);
        await page.getByTestId("query-input").fill("{service_name=}");
        await page.getByTestId("query-input-run").click();
        const fgError = await textOf(page, "flamegraph-error");
        assert.match(fgError, /parse error/);
        assert.match(await textOf(page, "timeline-error"), /parse error/);
        assert.equal(await page.getByTestId("flamegraph").count(), 0);
      },
      { allowConsole: [/status of 400/] },
    );
  });

  it("says so when the range holds no data", async () => {
    await withPage(browser, "ui-single-empty", async (page) => {
      await page.goto(uiUrl(server.url, "", { query: `${CPU}{}`, from: "1000000000", until: "1000003600" }));
      assert.equal(await textOf(page, "flamegraph-empty"), "No data in this range");
      assert.equal(await textOf(page, "timeline-empty"), "No data in this range");
    });
  });
});

describe("UI under -server.path-prefix", { skip: skipReason() ?? false }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    server = await startTestServer(["-server.path-prefix=/pyro"]);
    const push = create(PushRequestSchema, { series: [cpuTotal({ __name__: "process_cpu", service_name: "p" }, 123 * MS, recentMs())] });
    const res = await postProto(server.url, "/pyro/push.v1.PusherService/Push", PushRequestSchema, push);
    assert.equal(res.status, 200, res.text);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("loads its assets and calls the API under the prefix", async () => {
    await withPage(browser, "ui-path-prefix", async (page) => {
      await page.goto(`${server.url}/pyro/ui/explore`);
      await page.getByTestId("page-explore").waitFor();
      await page.getByTestId("nav-single").click();
      await page.waitForURL((u) => u.pathname === "/pyro/ui/" && u.searchParams.get("query") === `${CPU}{}`);
      await waitForValue(page, "flamegraph-total", 123 * MS);
    });
  });
});
