/**
 * Tenant resolution: with multitenancy off every request is tenant "anonymous";
 * with it on, X-Scope-OrgID is required and validated before it can reach a path
 * on disk or an object-store prefix.
 */
import { InvalidArgumentError, UnauthenticatedError } from "../model/errors.js";

/** The header that carries the tenant. */
export const TENANT_HEADER = "x-scope-orgid";
/** The tenant of every request when multitenancy is off. */
export const DEFAULT_TENANT = "anonymous";
/** Longest accepted tenant ID. */
export const MAX_TENANT_ID_LENGTH = 150;

const TENANT_RE = /^[0-9a-zA-Z!\-_.*'()]+$/;

/** The tenant of a request given its X-Scope-OrgID value. */
export function resolveTenant(header: string | null | undefined, multitenancy: boolean): string {
  if (!multitenancy) return DEFAULT_TENANT;
  if (header === null || header === undefined || header === "") throw new UnauthenticatedError("no org id");
  validateTenantId(header);
  return header;
}

/** Throws unless `id` is a valid tenant ID (≤150 of [0-9a-zA-Z!-_.*'()], not "." or ".."). */
export function validateTenantId(id: string): void {
  if (id.includes("|")) {
    throw new InvalidArgumentError("invalid_tenant", `tenant ID ${JSON.stringify(id)}: multiple tenants per request are not supported`);
  }
  if (id.length > MAX_TENANT_ID_LENGTH) {
    throw new InvalidArgumentError("invalid_tenant", `tenant ID is ${id.length} characters long, limit is ${MAX_TENANT_ID_LENGTH}`);
  }
  if (id === "." || id === "..") throw new InvalidArgumentError("invalid_tenant", `tenant ID ${JSON.stringify(id)} is not allowed`);
  if (!TENANT_RE.test(id)) {
    throw new InvalidArgumentError(
      "invalid_tenant",
      `tenant ID ${JSON.stringify(id)} contains unsupported characters: only 0-9 a-z A-Z ! - _ . * ' ( ) are allowed`,
    );
  }
}
