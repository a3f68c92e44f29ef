import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError, UnauthenticatedError } from "../model/errors.js";
import { resolveTenant } from "./tenant.js";

describe("resolveTenant", () => {
  it("is anonymous when multitenancy is off, whatever the header", () => {
    assert.equal(resolveTenant("team-a", false), "anonymous");
    assert.equal(resolveTenant(undefined, false), "anonymous");
  });
  it("requires the header when on", () => {
    assert.throws(() => resolveTenant(undefined, true), (e: unknown) => e instanceof UnauthenticatedError && e.message === "no org id");
    assert.throws(() => resolveTenant("", true), UnauthenticatedError);
  });
  for (const ok of ["team-a", "A_b.c*d'e(f)!", "x".repeat(150)]) it(`accepts ${ok.slice(0, 20)}`, () => assert.equal(resolveTenant(ok, true), ok));
  for (const bad of [".", "..", "a/b", "a b", "a|b", "x".repeat(151), "é"]) {
    it(`rejects ${JSON.stringify(bad.slice(0, 20))}`, () => assert.throws(() => resolveTenant(bad, true), InvalidArgumentError));
  }
});
