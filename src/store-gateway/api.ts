/**
 * The store-gateway boundary: what a querier asks of a store-gateway about the
 * blocks in object storage, in domain types. The in-process implementation is
 * `StoreGateway`; a connect client implementing the same interface serves the
 * microservices mode. The query methods are the ingester's.
 */
import type { TenantProfileApi } from "../model/query.js";

/** A store-gateway, local or remote. */
export type StoreGatewayApi = TenantProfileApi;
