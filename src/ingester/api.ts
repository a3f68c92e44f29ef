/**
 * The ingester boundary: what distributors and queriers ask of an ingester, in
 * domain types. The in-process implementation is `Ingester`; a connect client
 * implementing the same interface serves the microservices mode.
 */
import type { IngestProfile, TenantProfileApi } from "../model/query.js";

/** An ingester, local or remote. */
export interface IngesterApi extends TenantProfileApi {
  /** Stores normalized profiles; resolves once they are accepted. */
  push(tenant: string, profiles: IngestProfile[]): Promise<void>;
  /** Cuts every head into a block and ships it. */
  flush(): Promise<void>;
}
