/**
 * Where the Kubernetes API server is and how to authenticate to it, resolved the way Prometheus
 * (client-go) does: an explicit `api_server` with the inline HTTP client options, a kubeconfig file
 * (its current context), or the pod's service account when running in a cluster. Token files are
 * only named here: the HTTP client reads them on every request, so rotated tokens are picked up.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { defaultHttpClientConfig } from "../http-client.js";
import type { HttpClientConfig } from "../http-client.js";

/** An API server address and the client options to reach it. */
export interface KubeConnection {
  /** Base URL, e.g. `https://10.0.0.1:443`; API paths are appended to it. */
  server: string;
  http: HttpClientConfig;
  /** How it was found, for logs: "api_server", "kubeconfig" or "in-cluster". */
  source: "api_server" | "kubeconfig" | "in-cluster";
}

/** The service account files and environment of a pod; injectable for tests. */
export interface InClusterOptions {
  /** Defaults to `process.env`; `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are read. */
  env?: Record<string, string | undefined>;
  tokenFile?: string;
  caFile?: string;
  namespaceFile?: string;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The standard service account paths mounted into every pod. */
export const IN_CLUSTER_PATHS: Readonly<Required<Omit<InClusterOptions, "env">>> = {
  tokenFile: `${SERVICE_ACCOUNT_DIR}/token`,
  caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
  namespaceFile: `${SERVICE_ACCOUNT_DIR}/namespace`,
};

/** A kubeconfig or in-cluster configuration that cannot be used. */
export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

/**
 * The pod's service account configuration (client-go's `rest.InClusterConfig`): the API server at
 * `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the service account token (which must
 * be readable now and is re-read per request), and the cluster CA when present.
 */
export function inClusterConnection(opts: InClusterOptions = {}): KubeConnection {
  const env = opts.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "";
  if (host === "" || port === "") {
    throw new KubeConfigError(
      "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined (or set api_server or kubeconfig_file)",
    );
  }
  const tokenFile = opts.tokenFile ?? IN_CLUSTER_PATHS.tokenFile;
  try {
    readFileSync(tokenFile);
  } catch (err) {
    throw new KubeConfigError(`unable to load in-cluster configuration: cannot read the service account token: ${message(err)}`, { cause: err });
  }
  const caFile = opts.caFile ?? IN_CLUSTER_PATHS.caFile;
  const http = defaultHttpClientConfig();
  http.authorization = { type: "Bearer", credentialsFile: tokenFile };
  // client-go goes on with the system roots when the CA file cannot be loaded; so do we.
  if (existsSync(caFile)) http.tls = { ...http.tls, caFile };
  const hostPort = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { server: `https://${hostPort}`, http, source: "in-cluster" };
}

/** The namespace the pod runs in, from the service account's `namespace` file. */
export function readOwnNamespace(opts: InClusterOptions = {}): string {
  const file = opts.namespaceFile ?? IN_CLUSTER_PATHS.namespaceFile;
  let ns: string;
  try {
    ns = readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new KubeConfigError(`could not determine the pod's namespace: ${message(err)}`, { cause: err });
  }
  if (ns === "") throw new KubeConfigError(`could not read own namespace name (empty file ${file})`);
  return ns;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A kubeconfig section reader that names the offending entry in its errors. */
class Section {
  constructor(
    private readonly file: string,
    private readonly what: string,
    private readonly obj: Json,
  ) {}

  error(msg: string): KubeConfigError {
    return new KubeConfigError(`kubeconfig ${this.file}: ${this.what}: ${msg}`);
  }

  string(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw this.error(`${key} must be a string`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") throw this.error(`${key} must be a boolean`);
    return v;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  /** Base64 data decoded to text (PEM). */
  data(key: string): string | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!/^[A-Za-z0-9+/=\s]*$/.test(v)) throw this.error(`${key} is not valid base64`);
    return Buffer.from(v, "base64").toString("utf8");
  }

  /** A file path, relative ones resolved against the kubeconfig's directory. */
  path(key: string): string | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    return isAbsolute(v) ? v : join(dirname(this.file), v);
  }
}

/** The `name`d entry of a kubeconfig list (`clusters`, `users`, `contexts`), unwrapped. */
function findNamed(file: string, doc: Json, listKey: string, itemKey: string, name: string): Section | undefined {
  const items = doc[listKey];
  if (items === undefined || items === null) return undefined;
  if (!Array.isArray(items)) throw new KubeConfigError(`kubeconfig ${file}: ${listKey} must be a list`);
  for (const item of items) {
    if (!isObject(item) || item.name !== name) continue;
    const inner = item[itemKey];
    return new Section(file, `${itemKey} "${name}"`, isObject(inner) ? inner : {});
  }
  return undefined;
}

/**
 * Reads a kubeconfig file and resolves its current context to a connection (client-go's
 * `BuildConfigFromFlags("", file)`): the cluster's server and CA, the user's token, token file,
 * client certificate or basic auth. Exec and auth-provider plugins are not supported.
 */
export function kubeconfigConnection(file: string): KubeConnection {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new KubeConfigError(`kubeconfig ${file}: ${message(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeConfigError(`kubeconfig ${file}: invalid YAML: ${message(err)}`, { cause: err });
  }
  if (!isObject(doc)) throw new KubeConfigError(`kubeconfig ${file}: expected a mapping at the top level`);

  const contextName = typeof doc["current-context"] === "string" ? doc["current-context"] : "";
  if (contextName === "") throw new KubeConfigError(`kubeconfig ${file}: current-context is not set`);
  const context = findNamed(file, doc, "contexts", "context", contextName);
  if (context === undefined) throw new KubeConfigError(`kubeconfig ${file}: context "${contextName}" (the current-context) not found`);
  const clusterName = context.string("cluster");
  if (clusterName === undefined) throw context.error("names no cluster");
  const cluster = findNamed(file, doc, "clusters", "cluster", clusterName);
  if (cluster === undefined) throw new KubeConfigError(`kubeconfig ${file}: cluster "${clusterName}" (of context "${contextName}") not found`);
  const userName = context.string("user");
  const user = userName === undefined ? undefined : findNamed(file, doc, "users", "user", userName);
  if (userName !== undefined && user === undefined) {
    throw new KubeConfigError(`kubeconfig ${file}: user "${userName}" (of context "${contextName}") not found`);
  }

  const server = cluster.string("server");
  if (server === undefined) throw cluster.error("has no server");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw cluster.error(`server ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw cluster.error(`server ${JSON.stringify(server)} is not an http or https URL`);

  const http = defaultHttpClientConfig();
  const ca = cluster.data("certificate-authority-data");
  const caFile = ca === undefined ? cluster.path("certificate-authority") : undefined;
  const insecure = cluster.bool("insecure-skip-tls-verify");
  if (insecure && (ca !== undefined || caFile !== undefined)) {
    throw cluster.error("specifying a root certificates file with the insecure flag is not allowed");
  }
  http.tls = { ca, caFile, serverName: cluster.string("tls-server-name"), insecureSkipVerify: insecure };
  if (user !== undefined) applyUser(user, http);
  return { server: server.replace(/\/+$/, ""), http, source: "kubeconfig" };
}

function applyUser(user: Section, http: HttpClientConfig): void {
  if (user.has("exec")) throw user.error("exec credential plugins are not supported by this agent; use a token, token file or client certificate");
  if (user.has("auth-provider")) throw user.error("auth-provider plugins are not supported by this agent; use a token, token file or client certificate");
  const cert = user.data("client-certificate-data");
  const certFile = cert === undefined ? user.path("client-certificate") : undefined;
  const key = user.data("client-key-data");
  const keyFile = key === undefined ? user.path("client-key") : undefined;
  if ((cert !== undefined || certFile !== undefined) !== (key !== undefined || keyFile !== undefined)) {
    throw user.error("client certificate and key must be set together");
  }
  http.tls = { ...http.tls, cert, certFile, key, keyFile };
  const token = user.string("token");
  const tokenFile = user.path("tokenFile");
  const username = user.string("username");
  const password = user.string("password");
  if ((token !== undefined || tokenFile !== undefined) && (username !== undefined || password !== undefined)) {
    throw user.error("more than one authentication method found (token and username/password); only one is allowed");
  }
  // As in client-go, a readable token file takes precedence over the inline token.
  if (tokenFile !== undefined) http.authorization = { type: "Bearer", credentialsFile: tokenFile };
  else if (token !== undefined) http.authorization = { type: "Bearer", credentials: token };
  else if (username !== undefined || password !== undefined) http.basicAuth = { username: username ?? "", password: password ?? "" };
}
