/** The store-gateway's exports. */
export type { StoreGatewayApi } from "./api.js";
export { storeGatewayFields } from "./config.js";
export type { StoreGatewayConfig } from "./config.js";
export { initStoreGateway } from "./module.js";
export { registerStoreGatewayStatus } from "./status.js";
export { defaultStoreGatewayOptions, StoreGateway } from "./store-gateway.js";
export type { BlockStatus, SkippedBlock, StoreGatewayDeps, StoreGatewayOptions, TenantStatus } from "./store-gateway.js";
