/**
 * Renders a Helm chart without Helm: Go's text/template (the engine Helm runs) in a small Go
 * program built on first use, with the Helm and sprig functions the chart's templates call.
 * Values files are merged here the way `helm template -f` merges them (maps key by key, a null
 * removes a key), and the rendered manifests come back parsed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { repoRoot } from "./child.js";

/** A value tree as YAML or JSON gives it. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** A mapping of a value tree. */
export type ValueMap = { [key: string]: Value };

/** One manifest of the output, with the template file it came from. */
export interface Manifest {
  source: string;
  doc: ValueMap;
}

/** The output of one render. */
export interface Rendered {
  manifests: Manifest[];
  /** Rendered text per template file, NOTES.txt included. */
  files: Map<string, string>;
}

/** What to render: values files (over the chart's values.yaml) and the release. */
export interface RenderOptions {
  valuesFiles?: readonly string[];
  /** Merged last, like --set. */
  set?: ValueMap;
  releaseName?: string;
  namespace?: string;
}

/** True for a mapping (not a list, not null). */
export function isMap(v: unknown): v is ValueMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Helm's merge of a values file over the values so far: maps merge, a null deletes, the rest replaces. */
export function coalesce(base: ValueMap, over: ValueMap): ValueMap {
  const out: ValueMap = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(b)) out[k] = coalesce(b, v);
    else out[k] = v;
  }
  return out;
}

function readYamlMap(file: string): ValueMap {
  const v: unknown = parseYaml(readFileSync(file, "utf8"));
  if (v === null || v === undefined) return {};
  if (!isMap(v)) throw new Error(`${file}: not a mapping`);
  return v;
}

let rendererPath: string | undefined;

/** Builds the Go renderer once per source version, under .tmp/ (kept between runs). */
function renderer(): string {
  if (rendererPath !== undefined) return rendererPath;
  const hash = createHash("sha256").update(GO_SOURCE).digest("hex").slice(0, 16);
  const dir = join(repoRoot, ".tmp", "helm-render");
  const bin = join(dir, `render-${hash}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `main-${hash}.go`);
    writeFileSync(src, GO_SOURCE);
    const tmp = `${bin}.${process.pid}.tmp`;
    const env = { ...process.env, GOCACHE: join(dir, "cache"), GOPATH: join(dir, "gopath"), GOFLAGS: "", GO111MODULE: "off", GOTOOLCHAIN: "local" };
    const build = spawnSync("go", ["build", "-o", tmp, src], { env, encoding: "utf8", timeout: 300_000 });
    if (build.status !== 0) throw new Error(`go build of the template renderer failed: ${build.stderr || build.error?.message}`);
    renameSync(tmp, bin);
  }
  rendererPath = bin;
  return bin;
}

/** Renders the chart in `chartDir` as `helm template` would, and parses every manifest. */
export function renderChart(chartDir: string, opts: RenderOptions = {}): Rendered {
  const chart = readYamlMap(join(chartDir, "Chart.yaml"));
  const name = String(chart["name"]);
  let values = readYamlMap(join(chartDir, "values.yaml"));
  for (const f of opts.valuesFiles ?? []) values = coalesce(values, readYamlMap(f));
  if (opts.set) values = coalesce(values, opts.set);
  const templates: Record<string, string> = {};
  for (const f of readdirSync(join(chartDir, "templates")).sort()) {
    templates[`${name}/templates/${f}`] = readFileSync(join(chartDir, "templates", f), "utf8");
  }
  const request = {
    Templates: templates,
    Values: values,
    Release: { Name: opts.releaseName ?? "phlare-dev", Namespace: opts.namespace ?? "default", Service: "Helm", IsInstall: true, Revision: 1 },
    Chart: { Name: name, Version: chart["version"], AppVersion: chart["appVersion"] },
    BasePath: `${name}/templates`,
  };
  const run = spawnSync(renderer(), [], { input: JSON.stringify(request), encoding: "utf8", maxBuffer: 64 << 20, timeout: 60_000 });
  let answer: unknown;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    answer = undefined;
  }
  if (!isMap(answer) || run.status !== 0) {
    const why = isMap(answer) && typeof answer["error"] === "string" ? answer["error"] : run.stderr || run.error?.message;
    throw new Error(`rendering ${chartDir} failed: ${why}`);
  }
  const files = new Map<string, string>();
  const manifests: Manifest[] = [];
  for (const f of Array.isArray(answer["files"]) ? answer["files"] : []) {
    if (!isMap(f) || typeof f["name"] !== "string" || typeof f["content"] !== "string") continue;
    files.set(f["name"], f["content"]);
    if (!f["name"].endsWith(".yaml")) continue;
    for (const d of parseAllDocuments(f["content"])) {
      if (d.errors.length > 0) throw new Error(`${f["name"]}: ${d.errors[0]?.message}\n${f["content"]}`);
      const doc: unknown = d.toJS();
      if (isMap(doc)) manifests.push({ source: basename(f["name"]), doc });
    }
  }
  return { manifests, files };
}

// The renderer: the Go 1.19 standard library alone, so Debian's golang-go builds it offline.
const GO_SOURCE = String.raw`
// Renders a chart's templates with Go's text/template, the engine Helm runs, plus the Helm and
// sprig functions the chart calls (with their semantics). Values arrive merged, as JSON on stdin.
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

type request struct {
	Templates                map[string]string
	Values, Release, Chart   map[string]interface{}
	BasePath                 string
}

func main() {
	var req request
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	err := json.NewDecoder(os.Stdin).Decode(&req)
	var files []map[string]string
	if err == nil {
		files, err = render(req)
	}
	if err != nil {
		_ = out.Encode(map[string]string{"error": err.Error()})
		os.Exit(1)
	}
	_ = out.Encode(map[string]interface{}{"files": files})
}

func render(req request) ([]map[string]string, error) {
	root := template.New("chart").Option("missingkey=zero")
	root.Funcs(funcMap(root))
	names := make([]string, 0, len(req.Templates))
	for name := range req.Templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(req.Templates[name]); err != nil {
			return nil, err
		}
	}
	var files []map[string]string
	for _, name := range names {
		if strings.HasPrefix(name[strings.LastIndex(name, "/")+1:], "_") {
			continue // partials hold only definitions
		}
		data := map[string]interface{}{"Values": req.Values, "Release": req.Release, "Chart": req.Chart,
			"Template": map[string]interface{}{"Name": name, "BasePath": req.BasePath}}
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			return nil, err
		}
		files = append(files, map[string]string{"name": name, "content": noValue(b.String())})
	}
	return files, nil
}

// noValue prints a missing value as nothing, as Helm does.
func noValue(s string) string { return strings.ReplaceAll(s, "<no value>", "") }

func funcMap(root *template.Template) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var b strings.Builder
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"tpl": func(text string, data interface{}) (string, error) {
			c, err := root.Clone()
			var t *template.Template
			if err == nil {
				t, err = c.New("tpl").Parse(text)
			}
			if err != nil {
				return "", err
			}
			var b strings.Builder
			err = t.Execute(&b, data)
			return noValue(b.String()), err
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if empty(v) {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"toYaml":   func(v interface{}) string { return strings.TrimSuffix(toYaml(v, 0), "\n") },
		"toJson":   toJSON,
		"fromJson": func(s string) (m map[string]interface{}, err error) { err = json.Unmarshal([]byte(s), &m); return },
		"indent":   indent,
		"nindent":  func(n int, s string) string { return "\n" + indent(n, s) },
		"quote": func(vs ...interface{}) string {
			var out []string
			for _, v := range vs {
				if v != nil {
					out = append(out, strconv.Quote(strval(v)))
				}
			}
			return strings.Join(out, " ")
		},
		"default": func(d interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || empty(given[0]) {
				return d
			}
			return given[0]
		},
		"empty":      empty,
		"toString":   strval,
		"int":        toInt,
		"until":      func(n int) (r []int) { for i := 0; i < n; i++ { r = append(r, i) }; return },
		"trunc":      trunc,
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"dict": func(kv ...interface{}) (map[string]interface{}, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			d := map[string]interface{}{}
			for i := 0; i < len(kv); i += 2 {
				d[strval(kv[i])] = kv[i+1]
			}
			return d, nil
		},
		"set":      func(d map[string]interface{}, k string, v interface{}) map[string]interface{} { d[k] = v; return d },
		"hasKey":   func(d map[string]interface{}, k string) bool { _, ok := d[k]; return ok },
		"deepCopy": deepCopy,
		"mustMergeOverwrite": func(dst map[string]interface{}, srcs ...map[string]interface{}) (map[string]interface{}, error) {
			for _, src := range srcs {
				mergeOverwrite(dst, src)
			}
			return dst, nil
		},
		"kindIs": func(kind string, v interface{}) bool {
			return (v == nil && kind == "invalid") || (v != nil && reflect.ValueOf(v).Kind().String() == kind)
		},
		"sha256sum": func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) },
		"b64enc":    func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	}
}

// empty is sprig's: nil, zero numbers, false, and empty strings, lists and maps.
func empty(v interface{}) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() == 0
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Int, reflect.Int64:
		return rv.Int() == 0
	case reflect.Float64:
		return rv.Float() == 0
	}
	return false
}

func strval(v interface{}) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprintf("%v", v)
}

func toInt(v interface{}) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(x)
		return n
	}
	return 0
}

func trunc(c int, s string) string {
	if c < 0 && len(s)+c > 0 {
		return s[len(s)+c:]
	}
	if c >= 0 && len(s) > c {
		return s[:c]
	}
	return s
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func toJSON(v interface{}) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func deepCopy(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// mergeOverwrite is sprig's mustMergeOverwrite on value maps: maps merge key by key, and
// anything else in src (lists, scalars, false, null) replaces what dst has.
func mergeOverwrite(dst, src map[string]interface{}) {
	for k, s := range src {
		sm, sIsMap := s.(map[string]interface{})
		if dm, dIsMap := dst[k].(map[string]interface{}); sIsMap && dIsMap {
			mergeOverwrite(dm, sm)
		} else {
			dst[k] = s
		}
	}
}

var plain = regexp.MustCompile("^[A-Za-z_/][A-Za-z0-9_./-]*$")

var reserved = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true, "null": true}

// scalar writes a YAML scalar: plain when it reads back as the same string, else JSON-quoted.
func scalar(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		if plain.MatchString(x) && !reserved[strings.ToLower(x)] {
			return x
		}
	}
	s, _ := toJSON(v)
	return s
}

// toYaml writes v as block YAML with sorted keys, every line indented by in spaces; a
// list under a key is not indented further, as Helm writes it.
func toYaml(v interface{}, in int) string {
	pad := strings.Repeat(" ", in)
	var b strings.Builder
	switch x := v.(type) {
	case map[string]interface{}:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(pad + scalar(k) + ":")
			if _, isList := x[k].([]interface{}); isList && nonEmpty(x[k]) {
				b.WriteString("\n" + toYaml(x[k], in))
			} else if nonEmpty(x[k]) {
				b.WriteString("\n" + toYaml(x[k], in+2))
			} else {
				b.WriteString(" " + scalar(x[k]) + "\n")
			}
		}
	case []interface{}:
		for _, e := range x {
			if nonEmpty(e) {
				b.WriteString(pad + "- " + strings.TrimPrefix(toYaml(e, in+2), pad+"  "))
			} else {
				b.WriteString(pad + "- " + scalar(e) + "\n")
			}
		}
	}
	if b.Len() == 0 {
		return pad + scalar(v) + "\n"
	}
	return b.String()
}

// nonEmpty tells a map or list with entries, which takes lines of its own.
func nonEmpty(v interface{}) bool {
	switch x := v.(type) {
	case map[string]interface{}:
		return len(x) > 0
	case []interface{}:
		return len(x) > 0
	}
	return false
}
`;
