/**
 * The metadata event of a JFR chunk: the type system that every other record is read
 * with. It is a string table followed by a tree of elements (name, attributes, children);
 * `root` holds `metadata`, whose `class` children describe each type by id, name and
 * ordered `field`s. A record carries no field names or sizes, so a type unknown here
 * cannot even be skipped.
 */
import { invalidJfr } from "./byte-reader.js";
import type { JfrByteReader } from "./byte-reader.js";

/** Event type id of the metadata event. */
export const METADATA_EVENT_TYPE = 0;
/** Event type id of constant-pool (checkpoint) events. */
export const CHECKPOINT_EVENT_TYPE = 1;

// Element nesting deeper than root > metadata > class > field > annotation > … is hostile.
const MAX_ELEMENT_DEPTH = 16;
// An element is at least its name, attribute count and child count: three bytes.
const MIN_ELEMENT_BYTES = 3;

/** One field of a JFR class, in record order. */
export interface JfrField {
  name: string;
  /** Type id of the field's class. */
  typeId: number;
  /** The value is a constant-pool id (a long) instead of the value itself. */
  constantPool: boolean;
  /** The value is an int count followed by that many values. */
  array: boolean;
}

/** A class (type) declared by the metadata: a primitive, an event, or a constant-pool type. */
export interface JfrClass {
  id: number;
  name: string;
  superType: string;
  fields: JfrField[];
}

/** The types of one chunk, by id and by name. */
export interface JfrMetadata {
  byId: Map<number, JfrClass>;
  byName: Map<string, JfrClass>;
}

interface Element {
  name: string;
  attributes: Map<string, string>;
  children: Element[];
}

function readElement(r: JfrByteReader, strings: readonly string[], depth: number): Element {
  const at = r.pos;
  if (depth > MAX_ELEMENT_DEPTH) invalidJfr(`metadata elements nest deeper than ${MAX_ELEMENT_DEPTH}`, at);
  const name = stringAt(r, strings, "metadata element name");
  const attributeCount = r.count("metadata attribute count", 2);
  const attributes = new Map<string, string>();
  for (let i = 0; i < attributeCount; i++) {
    const key = stringAt(r, strings, "metadata attribute name");
    attributes.set(key, stringAt(r, strings, "metadata attribute value"));
  }
  const childCount = r.count("metadata child count", MIN_ELEMENT_BYTES);
  const children: Element[] = [];
  for (let i = 0; i < childCount; i++) children.push(readElement(r, strings, depth + 1));
  return { name, attributes, children };
}

function stringAt(r: JfrByteReader, strings: readonly string[], what: string): string {
  const at = r.pos;
  const i = r.int(what);
  if (i < 0 || i >= strings.length) invalidJfr(`${what} is string ${i} of ${strings.length}`, at);
  return strings[i]!;
}

function typeIdAttribute(e: Element, key: string, at: number): number {
  const raw = e.attributes.get(key);
  const id = raw === undefined ? NaN : Number(raw);
  if (!Number.isSafeInteger(id) || id < 0) invalidJfr(`metadata ${e.name} has ${key}="${raw ?? ""}", not a type id`, at);
  return id;
}

function toClass(e: Element, at: number): JfrClass {
  const name = e.attributes.get("name");
  if (name === undefined || name === "") invalidJfr("metadata class without a name", at);
  const fields: JfrField[] = [];
  for (const child of e.children) {
    if (child.name !== "field") continue;
    const dimension = child.attributes.get("dimension");
    if (dimension !== undefined && dimension !== "0" && dimension !== "1") {
      invalidJfr(`field ${child.attributes.get("name") ?? ""} of ${name} has dimension ${dimension}`, at);
    }
    fields.push({
      name: child.attributes.get("name") ?? "",
      typeId: typeIdAttribute(child, "class", at),
      constantPool: child.attributes.get("constantPool") === "true",
      array: dimension === "1",
    });
  }
  return { id: typeIdAttribute(e, "id", at), name, superType: e.attributes.get("superType") ?? "", fields };
}

/**
 * Reads the metadata event at `r.pos`, which must end by `r.end`; leaves `r.pos` after it.
 * Throws InvalidArgumentError when the event is malformed or declares a type twice.
 */
export function readMetadata(r: JfrByteReader): JfrMetadata {
  const start = r.pos;
  const size = r.int("metadata size");
  if (size <= 0 || start + size > r.end) invalidJfr(`metadata size ${size} runs past the chunk end ${r.end}`, start);
  const outerEnd = r.end;
  r.end = start + size;
  const type = r.long("metadata event type");
  if (type !== METADATA_EVENT_TYPE) invalidJfr(`metadata event has type ${type}, expected ${METADATA_EVENT_TYPE}`, start);
  r.long("metadata start time");
  r.long("metadata duration");
  r.long("metadata id");
  const stringCount = r.count("metadata string count", 1);
  const strings: string[] = [];
  for (let i = 0; i < stringCount; i++) strings.push(r.string("metadata string"));
  const rootAt = r.pos;
  const root = readElement(r, strings, 0);
  if (root.name !== "root") invalidJfr(`metadata root element is "${root.name}"`, rootAt);
  r.pos = start + size;
  r.end = outerEnd;

  const byId = new Map<number, JfrClass>();
  const byName = new Map<string, JfrClass>();
  for (const section of root.children) {
    if (section.name !== "metadata") continue;
    for (const e of section.children) {
      if (e.name !== "class") continue;
      const cls = toClass(e, rootAt);
      if (byId.has(cls.id)) invalidJfr(`metadata declares type id ${cls.id} twice`, rootAt);
      byId.set(cls.id, cls);
      byName.set(cls.name, cls);
    }
  }
  return { byId, byName };
}
