import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.js";
import { azureServiceUrl, isTransientAzureError, validateAzureConfig } from "./azure.js";
import type { AzureConfig } from "./config.js";

const base: AzureConfig = {
  account_name: "acct",
  account_key: "a2V5",
  container_name: "c",
  endpoint_suffix: "",
  max_retries: 20,
  msi_resource: "",
  user_assigned_id: "",
  endpoint: "",
};

describe("azureServiceUrl", () => {
  test("defaults to the public cloud, honours endpoint_suffix, the override wins", () => {
    assert.equal(azureServiceUrl(base), "https://acct.blob.core.windows.net");
    assert.equal(azureServiceUrl({ ...base, endpoint_suffix: "blob.core.chinacloudapi.cn" }), "https://acct.blob.core.chinacloudapi.cn");
    assert.equal(azureServiceUrl({ ...base, endpoint: "http://127.0.0.1:10000/devstoreaccount1/" }), "http://127.0.0.1:10000/devstoreaccount1");
  });
});

describe("validateAzureConfig", () => {
  const bad: Array<[string, AzureConfig, string, RegExp]> = [
    ["no account", { ...base, account_name: "" }, "storage.azure.account_name", /required/],
    ["no container", { ...base, container_name: "" }, "storage.azure.container_name", /required/],
    ["no key", { ...base, account_key: "" }, "storage.azure.account_key", /required$/],
    ["managed identity", { ...base, account_key: "", msi_resource: "https://x" }, "storage.azure.account_key", /managed identities/],
    ["bad endpoint", { ...base, endpoint: "::" }, "storage.azure.endpoint", /invalid URL/],
  ];
  for (const [name, cfg, path, message] of bad) {
    test(`rejects ${name}`, () =>
      assert.throws(() => validateAzureConfig(cfg), (e: unknown) => e instanceof ConfigError && e.path === path && message.test(e.message)));
  }
});

describe("isTransientAzureError", () => {
  const rest = (statusCode: number | undefined, code: string): unknown => Object.assign(new Error(code), { statusCode, code });
  const table: Array<[string, unknown, boolean]> = [
    ["503 ServerBusy", rest(503, "ServerBusy"), true],
    ["500 InternalError", rest(500, "InternalError"), true],
    ["429", rest(429, "TooManyRequests"), true],
    ["404 BlobNotFound", rest(404, "BlobNotFound"), false],
    ["403 AuthenticationFailed", rest(403, "AuthenticationFailed"), false],
    ["409 conflict", rest(409, "ContainerBeingDeleted"), false],
    ["REQUEST_SEND_ERROR", rest(undefined, "REQUEST_SEND_ERROR"), true],
    ["ECONNREFUSED", rest(undefined, "ECONNREFUSED"), true],
  ];
  for (const [name, err, want] of table) test(`${name} → ${want}`, () => assert.equal(isTransientAzureError(err), want));
});
