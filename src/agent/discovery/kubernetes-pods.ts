/**
 * A Kubernetes Pod object (as the API server sends it in JSON) turned into a target group, with the
 * `__meta_kubernetes_pod_*` labels of Prometheus' pod role: one target per declared container port,
 * one per container without ports, init containers included and marked.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { LabelSet, TargetGroup } from "./target-group.js";

const META = "__meta_kubernetes_";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(o: Json | undefined, key: string): Json | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

function list(o: Json | undefined, key: string): Json[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function str(o: Json | undefined, key: string): string {
  const v = o?.[key];
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

function stringMap(o: Json | undefined, key: string): [string, string][] {
  const m = obj(o, key);
  if (m === undefined) return [];
  return Object.entries(m).map(([k, v]) => [k, typeof v === "string" ? v : v === null || v === undefined ? "" : String(v)]);
}

/** Prometheus' `strutil.SanitizeLabelName`: every character outside `[a-zA-Z0-9_]` becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/gu, "_");
}

/** The group source of a pod, `pod/<namespace>/<name>`, as in Prometheus. */
export function podSource(namespace: string, name: string): string {
  return `pod/${namespace}/${name}`;
}

/** The namespace, name and resourceVersion of a pod object, or undefined when it has no name. */
export function podIdentity(pod: unknown): { namespace: string; name: string; resourceVersion: string } | undefined {
  if (!isObject(pod)) return undefined;
  const meta = obj(pod, "metadata");
  const name = str(meta, "name");
  if (name === "") return undefined;
  return { namespace: str(meta, "namespace"), name, resourceVersion: str(meta, "resourceVersion") };
}

/** The group that removes a pod's targets: same source, no targets. */
export function emptyPodGroup(namespace: string, name: string): TargetGroup {
  return { source: podSource(namespace, name), targets: [], labels: new Map() };
}

function podReady(status: Json | undefined): string {
  for (const cond of list(status, "conditions")) {
    if (str(cond, "type") === "Ready") return str(cond, "status").toLowerCase();
  }
  return "unknown";
}

// Go's net.ParseIP(ip).To4() != nil: IPv4, and IPv4-mapped IPv6.
function isV4Like(ip: string): boolean {
  if (isIPv4(ip)) return true;
  const m = /^::ffff:(.+)$/i.exec(ip);
  return m !== null && isIPv4(m[1] ?? "");
}

function canonicalIPv6(ip: string): string {
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** Go's `net.JoinHostPort`: brackets a host containing a colon. */
function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The labels shared by all targets of a pod (Prometheus' `podLabels` plus the namespace). */
export function podLabels(pod: Json): LabelSet {
  const meta = obj(pod, "metadata");
  const spec = obj(pod, "spec");
  const status = obj(pod, "status");
  const ls: LabelSet = new Map([
    [`${META}pod_ip`, str(status, "podIP")],
    [`${META}pod_ready`, podReady(status)],
    [`${META}pod_phase`, str(status, "phase")],
    [`${META}pod_node_name`, str(spec, "nodeName")],
    [`${META}pod_host_ip`, str(status, "hostIP")],
    [`${META}pod_uid`, str(meta, "uid")],
  ]);
  // The first IPv4 and the first IPv6 address of status.podIPs (dual-stack clusters).
  for (const entry of list(status, "podIPs")) {
    const ip = str(entry, "ip");
    if (ip === "") continue;
    const haveV4 = ls.has(`${META}pod_ipv4`);
    const haveV6 = ls.has(`${META}pod_ipv6`);
    if (haveV4 && haveV6) break;
    if (isV4Like(ip)) {
      if (!haveV4) ls.set(`${META}pod_ipv4`, ip);
    } else if (isIPv6(ip) && !haveV6) {
      ls.set(`${META}pod_ipv6`, ip);
    }
  }
  ls.set(`${META}pod_name`, str(meta, "name"));
  for (const [k, v] of stringMap(meta, "labels")) {
    const ln = sanitizeLabelName(k);
    ls.set(`${META}pod_label_${ln}`, v);
    ls.set(`${META}pod_labelpresent_${ln}`, "true");
  }
  for (const [k, v] of stringMap(meta, "annotations")) {
    const ln = sanitizeLabelName(k);
    ls.set(`${META}pod_annotation_${ln}`, v);
    ls.set(`${META}pod_annotationpresent_${ln}`, "true");
  }
  const controller = list(meta, "ownerReferences").find((ref) => ref.controller === true);
  if (controller !== undefined) {
    if (str(controller, "kind") !== "") ls.set(`${META}pod_controller_kind`, str(controller, "kind"));
    if (str(controller, "name") !== "") ls.set(`${META}pod_controller_name`, str(controller, "name"));
  }
  ls.set(`${META}namespace`, str(meta, "namespace"));
  return ls;
}

function containerId(statuses: Json[], name: string): string {
  return str(
    statuses.find((s) => str(s, "name") === name),
    "containerID",
  );
}

/**
 * The target group of a pod, as Prometheus' `buildPod` makes it. A pod without an IP (pending,
 * evicted) gives a group with no labels and no targets, which clears what was sent for it before.
 */
export function podTargetGroup(pod: unknown): TargetGroup {
  const p: Json = isObject(pod) ? pod : {};
  const meta = obj(p, "metadata");
  const spec = obj(p, "spec");
  const status = obj(p, "status");
  const group = emptyPodGroup(str(meta, "namespace"), str(meta, "name"));
  const podIP = str(status, "podIP");
  if (podIP === "") return group;

  const targets: LabelSet[] = [];
  const containers = list(spec, "containers").map((c) => ({ c, init: false }));
  const inits = list(spec, "initContainers").map((c) => ({ c, init: true }));
  const statuses = list(status, "containerStatuses");
  const initStatuses = list(status, "initContainerStatuses");
  for (const { c, init } of [...containers, ...inits]) {
    const name = str(c, "name");
    const common: [string, string][] = [
      [`${META}pod_container_name`, name],
      [`${META}pod_container_id`, containerId(init ? initStatuses : statuses, name)],
      [`${META}pod_container_image`, str(c, "image")],
      [`${META}pod_container_init`, String(init)],
    ];
    const ports = list(c, "ports");
    if (ports.length === 0) {
      // No port: the address is the bare pod IP (an IPv6 one bracketed); relabeling adds a port.
      const addr = isV4Like(podIP) || !isIPv6(podIP) ? podIP : `[${canonicalIPv6(podIP)}]`;
      targets.push(new Map([["__address__", addr], ...common]));
      continue;
    }
    for (const port of ports) {
      const number = str(port, "containerPort");
      targets.push(
        new Map([
          ["__address__", joinHostPort(podIP, number)],
          ...common,
          [`${META}pod_container_port_number`, number],
          [`${META}pod_container_port_name`, str(port, "name")],
          [`${META}pod_container_port_protocol`, str(port, "protocol")],
        ]),
      );
    }
  }
  return { source: group.source, targets, labels: podLabels(p) };
}
