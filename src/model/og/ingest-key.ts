/**
 * The `name` parameter of /ingest: `app[.type]{key=value,...}`, Pyroscope's "label set"
 * key (api/model/labelset). The app name may hold dots; the segment after its last dot is
 * the OG type suffix (`cpu` when there is no dot), so `my.app` is app `my` with type `app`,
 * which ogProfileType() then rejects, as Pyroscope does.
 *
 * Where Pyroscope's parser silently drops text (a missing `}`, a key without `=`, text
 * after the `}`) we reject the key instead. Pyroscope also rejects an empty app name; we
 * accept it, because @pyroscope/nodejs sends `{...}` when no app name was configured.
 */
import { InvalidArgumentError } from "../errors.js";

/** A parsed `name` key: `app.type{k=v,...}`. */
export interface IngestKey {
  appName: string;
  /** the OG type suffix, "cpu" when absent */
  profileType: string;
  /** One entry per label key, in the order keys first appear; a repeated key keeps its last value. */
  labels: Array<[string, string]>;
}

// Pyroscope's IsServiceNameRuneAllowed / IsLabelNameRuneAllowed.
const APP_NAME_RE = /^[A-Za-z0-9_.\-/]*$/;
const LABEL_KEY_RE = /^[A-Za-z0-9_.]+$/;
// Inside the braces `__name__` is not a label: it sets the app name, as in Pyroscope.
const RESERVED_NAME_KEY = "__name__";
const DEFAULT_TYPE = "cpu";

/** `s` quoted for a message, cut to `max` characters so a huge name cannot flood the log. */
function show(s: string, max = 64): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

function fail(name: string, what: string): never {
  throw new InvalidArgumentError("invalid_request", `invalid name ${show(name, 200)}: ${what}`);
}

function firstBadChar(s: string, allowed: RegExp): string {
  for (const ch of s) if (!allowed.test(ch)) return ch;
  return "";
}

function checkAppName(name: string, app: string): void {
  if (!APP_NAME_RE.test(app)) {
    fail(name, `app name ${show(app)} has the character ${JSON.stringify(firstBadChar(app, /[A-Za-z0-9_.\-/]/))}, only A-Z a-z 0-9 _ . - / are allowed`);
  }
}

/** Parses an /ingest `name`; throws InvalidArgumentError("invalid_request") when it is malformed. */
export function parseIngestKey(name: string): IngestKey {
  if (name.trim() === "") fail(name, "the name is required");
  const open = name.indexOf("{");
  let app = (open < 0 ? name : name.slice(0, open)).trim();
  checkAppName(name, app);
  const labels = new Map<string, string>();
  if (open >= 0) {
    let pos = open + 1;
    let closed = false;
    while (!closed) {
      let i = pos;
      while (i < name.length && name[i] !== "=" && name[i] !== "}") i++;
      if (i === name.length) fail(name, "the label set has no closing '}'");
      const key = name.slice(pos, i).trim();
      if (name[i] === "}") {
        if (key !== "") fail(name, `label ${show(key)} has no '=' and no value`);
        pos = i + 1;
        break;
      }
      if (key === "") fail(name, `a label name is missing before '=' at character ${i}`);
      if (!LABEL_KEY_RE.test(key)) {
        fail(name, `label name ${show(key)} has the character ${JSON.stringify(firstBadChar(key, /[A-Za-z0-9_.]/))}, only A-Z a-z 0-9 _ . are allowed`);
      }
      let j = i + 1;
      while (j < name.length && name[j] !== "," && name[j] !== "}") j++;
      if (j === name.length) fail(name, "the label set has no closing '}'");
      const value = name.slice(i + 1, j).trim();
      if (key === RESERVED_NAME_KEY) {
        app = value;
        checkAppName(name, app);
      } else {
        labels.set(key, value);
      }
      closed = name[j] === "}";
      pos = j + 1;
    }
    const rest = name.slice(pos).trim();
    if (rest !== "") fail(name, `unexpected ${show(rest, 32)} after the label set`);
  }
  const dot = app.lastIndexOf(".");
  const appName = dot < 0 ? app : app.slice(0, dot);
  const profileType = dot < 0 ? DEFAULT_TYPE : app.slice(dot + 1);
  return { appName, profileType, labels: [...labels] };
}
