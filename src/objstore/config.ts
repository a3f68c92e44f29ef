/**
 * Config of object storage (YAML `storage:`). Keys, flags, defaults and help are Phlare's
 * (pkg/objstore/client, with Mimir's bucket providers); durations are milliseconds.
 */
import { seconds } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** The backends `storage.backend` accepts, in Phlare's order. */
export const STORAGE_BACKENDS: readonly string[] = ["s3", "gcs", "azure", "swift", "filesystem", "cos"];

/** YAML `storage.s3.sse`. */
export interface S3SseConfig {
  /** "", "SSE-KMS" or "SSE-S3". */
  type: string;
  kms_key_id: string;
  /** JSON object, sent base64-encoded with SSE-KMS. */
  kms_encryption_context: string;
}

/** YAML `storage.s3.http`; timeouts are milliseconds. */
export interface S3HttpConfig {
  idle_conn_timeout: number;
  response_header_timeout: number;
  insecure_skip_verify: boolean;
  tls_handshake_timeout: number;
  expect_continue_timeout: number;
  max_idle_connections: number;
  max_idle_connections_per_host: number;
  max_connections_per_host: number;
}

/** YAML `storage.s3`. */
export interface S3Config {
  endpoint: string;
  region: string;
  bucket_name: string;
  secret_access_key: string;
  access_key_id: string;
  insecure: boolean;
  signature_version: string;
  sse: S3SseConfig;
  http: S3HttpConfig;
}

/** YAML `storage.gcs`; `endpoint` is a hidden test override. */
export interface GcsConfig {
  bucket_name: string;
  service_account: string;
  endpoint: string;
}

/** YAML `storage.azure`; `endpoint` is a hidden test override. */
export interface AzureConfig {
  account_name: string;
  account_key: string;
  container_name: string;
  endpoint_suffix: string;
  max_retries: number;
  msi_resource: string;
  user_assigned_id: string;
  endpoint: string;
}

/** YAML `storage.swift`; timeouts are milliseconds. */
export interface SwiftConfig {
  auth_version: number;
  auth_url: string;
  username: string;
  user_domain_name: string;
  user_domain_id: string;
  user_id: string;
  password: string;
  domain_id: string;
  domain_name: string;
  project_id: string;
  project_name: string;
  project_domain_id: string;
  project_domain_name: string;
  region_name: string;
  container_name: string;
  max_retries: number;
  connect_timeout: number;
  request_timeout: number;
}

/** YAML `storage.cos` (accepted for compatibility; the backend is not served). */
export interface CosConfig {
  bucket: string;
  region: string;
  app_id: string;
  endpoint: string;
  secret_key: string;
  secret_id: string;
  http: S3HttpConfig;
}

/** YAML `storage.filesystem`; an empty dir means `<phlaredb.data_path>/bucket`. */
export interface FilesystemConfig {
  dir: string;
}

/** YAML `storage:`. */
export interface StorageConfig {
  backend: string;
  s3: S3Config;
  gcs: GcsConfig;
  azure: AzureConfig;
  swift: SwiftConfig;
  cos: CosConfig;
  filesystem: FilesystemConfig;
  storage_prefix: string;
}

const oneOf =
  (what: string, allowed: readonly string[]) =>
  (v: string): string | undefined =>
    allowed.includes(v) ? undefined : `unsupported ${what} ${JSON.stringify(v)}; supported: ${allowed.join(", ")}`;

const nonNegative = (v: number): string | undefined => (v >= 0 ? undefined : `must not be negative, got ${v}`);

/** Rows of an http: block (S3 and COS share them; the flag names are Mimir's, some without "http."). */
function httpFields(backend: "s3" | "cos", server: string): Field[] {
  const y = `storage.${backend}.http`;
  const f = `storage.${backend}`;
  return [
    {
      flag: `${f}.http.idle-conn-timeout`,
      yaml: `${y}.idle_conn_timeout`,
      kind: "duration",
      default: seconds(90),
      help: "The time an idle connection will remain idle before closing.",
    },
    {
      flag: `${f}.http.response-header-timeout`,
      yaml: `${y}.response_header_timeout`,
      kind: "duration",
      default: seconds(120),
      help: "The amount of time the client will wait for a servers response headers.",
    },
    {
      flag: `${f}.http.insecure-skip-verify`,
      yaml: `${y}.insecure_skip_verify`,
      kind: "bool",
      default: false,
      help: `If the client connects to ${server} via HTTPS and this option is enabled, the client will accept any certificate and hostname.`,
    },
    {
      flag: `${f}.tls-handshake-timeout`,
      yaml: `${y}.tls_handshake_timeout`,
      kind: "duration",
      default: seconds(10),
      help: "Maximum time to wait for a TLS handshake. 0 means no limit.",
    },
    {
      flag: `${f}.expect-continue-timeout`,
      yaml: `${y}.expect_continue_timeout`,
      kind: "duration",
      default: seconds(1),
      help:
        "The time to wait for a server's first response headers after fully writing the request headers if the " +
        "request has an Expect header. 0 to send the request body immediately.",
    },
    {
      flag: `${f}.max-idle-connections`,
      yaml: `${y}.max_idle_connections`,
      kind: "int",
      default: 100,
      validate: nonNegative,
      help: "Maximum number of idle (keep-alive) connections across all hosts. 0 means no limit.",
    },
    {
      flag: `${f}.max-idle-connections-per-host`,
      yaml: `${y}.max_idle_connections_per_host`,
      kind: "int",
      default: 100,
      validate: nonNegative,
      help: "Maximum number of idle (keep-alive) connections to keep per-host. If 0, a built-in default value is used.",
    },
    {
      flag: `${f}.max-connections-per-host`,
      yaml: `${y}.max_connections_per_host`,
      kind: "int",
      default: 0,
      validate: nonNegative,
      help: "Maximum number of connections per host. 0 means no limit.",
    },
  ];
}

/** A string row defaulting to "", flag named after the key in kebab case. */
/** Credentials: dumped as ******** (Phlare's flagext.Secret). */
const SECRETS = new Set(["s3.secret_access_key", "gcs.service_account", "azure.account_key", "swift.password", "cos.secret_key"]);

function str(backend: string, key: string, help: string, hidden = false): Field {
  return {
    flag: `storage.${backend}.${key.replaceAll("_", "-")}`,
    yaml: `storage.${backend}.${key}`,
    kind: "string",
    default: "",
    help,
    ...(hidden ? { hidden } : {}),
    ...(SECRETS.has(`${backend}.${key}`) ? { secret: true } : {}),
  };
}

const s3Fields: Field[] = [
  str(
    "s3",
    "endpoint",
    "The S3 bucket endpoint. It could be an AWS S3 endpoint listed at https://docs.aws.amazon.com/general/latest/gr/s3.html " +
      "or the address of an S3-compatible service in hostname:port format.",
  ),
  str("s3", "region", "S3 region. If unset, the client will issue a S3 GetBucketLocation API call to autodetect it."),
  str("s3", "bucket_name", "S3 bucket name"),
  str("s3", "secret_access_key", "S3 secret access key"),
  str("s3", "access_key_id", "S3 access key ID"),
  {
    flag: "storage.s3.insecure",
    yaml: "storage.s3.insecure",
    kind: "bool",
    default: false,
    help:
      "If enabled, use http:// for the S3 endpoint instead of https://. This could be useful in local dev/test " +
      "environments while using an S3-compatible backend storage, like Minio.",
  },
  {
    flag: "storage.s3.signature-version",
    yaml: "storage.s3.signature_version",
    kind: "string",
    default: "v4",
    validate: oneOf("signature version", ["v4", "v2"]),
    help: "The signature version to use for authenticating against S3. Supported values are: v4, v2.",
  },
  {
    flag: "storage.s3.sse.type",
    yaml: "storage.s3.sse.type",
    kind: "string",
    default: "",
    validate: oneOf("SSE type", ["", "SSE-KMS", "SSE-S3"]),
    help: "Enable AWS Server Side Encryption. Supported values: SSE-KMS, SSE-S3.",
  },
  {
    flag: "storage.s3.sse.kms-key-id",
    yaml: "storage.s3.sse.kms_key_id",
    kind: "string",
    default: "",
    help: "KMS Key ID used to encrypt objects in S3",
  },
  {
    flag: "storage.s3.sse.kms-encryption-context",
    yaml: "storage.s3.sse.kms_encryption_context",
    kind: "string",
    default: "",
    help: "KMS Encryption Context used for object encryption. It expects JSON formatted string.",
  },
  ...httpFields("s3", "S3"),
];

const gcsFields: Field[] = [
  str("gcs", "bucket_name", "GCS bucket name"),
  str(
    "gcs",
    "service_account",
    "JSON either from a Google Developers Console client_credentials.json file, or a Google Developers service " +
      "account key. Needs to be valid JSON, not a filesystem path. If empty, fallback to Google default logic.",
  ),
  str(
    "gcs",
    "endpoint",
    "Base URL of a GCS JSON API server replacing https://storage.googleapis.com (tests). Requests to it are " +
      "unauthenticated unless service_account is set.",
    true,
  ),
];

const azureFields: Field[] = [
  str("azure", "account_name", "Azure storage account name"),
  str("azure", "account_key", "Azure storage account key"),
  str("azure", "container_name", "Azure storage container name"),
  str(
    "azure",
    "endpoint_suffix",
    "Azure storage endpoint suffix without schema. The account name will be prefixed to this value to create the " +
      "FQDN. If set to empty string, default endpoint suffix is used.",
  ),
  {
    flag: "storage.azure.max-retries",
    yaml: "storage.azure.max_retries",
    kind: "int",
    default: 20,
    validate: nonNegative,
    help: "Number of retries for recoverable errors",
  },
  str(
    "azure",
    "msi_resource",
    "If set, this URL is used instead of https://<storage-account-name>.<endpoint-suffix> for obtaining " +
      "ServicePrincipalToken from MSI.",
  ),
  str("azure", "user_assigned_id", "User assigned identity. If empty, then System assigned identity is used."),
  str(
    "azure",
    "endpoint",
    "Blob service URL including the account, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite (tests); " +
      "replaces https://<account_name>.<endpoint_suffix>.",
    true,
  ),
];

const swiftFields: Field[] = [
  {
    flag: "storage.swift.auth-version",
    yaml: "storage.swift.auth_version",
    kind: "int",
    default: 0,
    validate: (v) => ([0, 1, 2, 3].includes(v) ? undefined : `unsupported auth version ${v}; supported: 0, 1, 2, 3`),
    help: "OpenStack Swift authentication API version. 0 to autodetect.",
  },
  str("swift", "auth_url", "OpenStack Swift authentication URL"),
  str("swift", "username", "OpenStack Swift username."),
  str("swift", "user_domain_name", "OpenStack Swift user's domain name."),
  str("swift", "user_domain_id", "OpenStack Swift user's domain ID."),
  str("swift", "user_id", "OpenStack Swift user ID."),
  str("swift", "password", "OpenStack Swift API key."),
  str("swift", "domain_id", "OpenStack Swift user's domain ID."),
  str("swift", "domain_name", "OpenStack Swift user's domain name."),
  str("swift", "project_id", "OpenStack Swift project ID (v2,v3 auth only)."),
  str("swift", "project_name", "OpenStack Swift project name (v2,v3 auth only)."),
  str(
    "swift",
    "project_domain_id",
    "ID of the OpenStack Swift project's domain (v3 auth only), only needed if it differs the from user domain.",
  ),
  str(
    "swift",
    "project_domain_name",
    "Name of the OpenStack Swift project's domain (v3 auth only), only needed if it differs from the user domain.",
  ),
  str("swift", "region_name", "OpenStack Swift Region to use (v2,v3 auth only)."),
  str("swift", "container_name", "Name of the OpenStack Swift container to put chunks in."),
  {
    flag: "storage.swift.max-retries",
    yaml: "storage.swift.max_retries",
    kind: "int",
    default: 3,
    validate: nonNegative,
    help: "Max retries on requests error.",
  },
  {
    flag: "storage.swift.connect-timeout",
    yaml: "storage.swift.connect_timeout",
    kind: "duration",
    default: seconds(10),
    help: "Time after which a connection attempt is aborted.",
  },
  {
    flag: "storage.swift.request-timeout",
    yaml: "storage.swift.request_timeout",
    kind: "duration",
    default: seconds(5),
    help:
      "Time after which an idle request is aborted. The timeout watchdog is reset each time some data is received, " +
      "so the timeout triggers after X time no data is received on a request.",
  },
];

const cosFields: Field[] = [
  str("cos", "bucket", "COS bucket name"),
  str("cos", "region", "COS region name"),
  str("cos", "app_id", "COS app id"),
  str("cos", "endpoint", "COS storage endpoint"),
  str("cos", "secret_key", "COS secret key"),
  str("cos", "secret_id", "COS secret id"),
  ...httpFields("cos", "COS"),
];

/** Rows for `storage.*`, in Phlare's order. */
export const storageFields: readonly Field[] = [
  {
    flag: "storage.backend",
    yaml: "storage.backend",
    kind: "string",
    default: "filesystem",
    validate: oneOf("storage backend", STORAGE_BACKENDS),
    help: `Backend storage to use. Supported backends are: ${STORAGE_BACKENDS.join(", ")}.`,
  },
  ...s3Fields,
  ...gcsFields,
  ...azureFields,
  ...swiftFields,
  ...cosFields,
  str("filesystem", "dir", "Local filesystem storage directory. Empty means <phlaredb.data-path>/bucket."),
  {
    flag: "storage.storage-prefix",
    yaml: "storage.storage_prefix",
    kind: "string",
    default: "",
    validate: (v) =>
      /^[A-Za-z0-9]*$/.test(v)
        ? undefined
        : "storage prefix contains invalid characters, it may only contain digits and English alphabet letters",
    help:
      "Prefix for all objects stored in the backend storage. For simplicity, it may only contain digits and " +
      "English alphabet letters.",
  },
];
