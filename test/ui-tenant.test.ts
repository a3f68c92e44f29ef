/**
 * The UI against a multitenant server: it asks for a tenant, remembers it, sends it on
 * every call and lets the user switch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { CPU, cpuTotal, recentMs } from "./helpers/api.js";
import { ensureUiBuilt, launchBrowser, saveScreenshot, skipReason, textOf, uiUrl, waitForValue, withPage } from "./helpers/browser.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const MS = 1_000_000;

describe("UI with multitenancy", { skip: skipReason() ?? false }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    server = await startTestServer(["-auth.multitenancy-enabled=true"]);
    const t = recentMs();
    await server.clients({ tenant: "team-a" }).push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "a" }, 700 * MS, t)] });
    await server.clients({ tenant: "team-b" }).push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "b" }, 200 * MS, t)] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("asks for a tenant, then shows that tenant's data", async () => {
    await withPage(
      browser,
      "ui-tenant",
      async (page) => {
        await page.goto(uiUrl(server.url, "", { from: "now-1h", until: "now" }));
        await page.getByTestId("tenant-dialog").waitFor();
        assert.equal(await page.getByTestId("page-single").count(), 0, "no page is shown before a tenant is chosen");
        await saveScreenshot(page, "ui-tenant-prompt");
        await page.getByTestId("tenant-input").fill("team-a");
        await page.getByTestId("tenant-submit").click();
        await waitForValue(page, "flamegraph-total", 700 * MS);
        assert.equal(await textOf(page, "tenant-current"), "team-a");
        assert.equal(await page.getByTestId("profile-type-select").inputValue(), CPU);

        // The tenant survives a reload.
        await page.reload();
        await waitForValue(page, "flamegraph-total", 700 * MS);
        assert.equal(await page.getByTestId("tenant-dialog").count(), 0);

        // Switching tenants shows the other tenant's profiles.
        await page.getByTestId("tenant-button").click();
        await page.getByTestId("tenant-input").fill("team-b");
        await page.getByTestId("tenant-submit").click();
        await waitForValue(page, "flamegraph-total", 200 * MS);
        assert.equal(await textOf(page, "tenant-current"), "team-b");
      },
      // The start-up probe without a tenant is answered 401 by design.
      { allowConsole: [/status of 401/] },
    );
  });
});
