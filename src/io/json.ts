/**
 * JSON input files, the toolkit every JSON format shares (platform, node type,
 * scenario, sweep, WfFormat, profile, cluster snapshot): JSON text parsed with
 * line numbers and duplicate keys found, values described in messages, zod
 * issues turned into impactsim Issues of the shape "expected ..., got ..." at
 * a JSON path, and a checker and loader made from one function that gives a
 * format's every issue.
 */
import { z } from "zod";
import { InputError, type Issue, type IssueCode } from "../core/index.js";
import { readTextFile } from "./readText.js";

/** A JSON path as in messages: `sites[0].nodes[2].count`, `node_types["dell-r640"].power`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const k of path) {
    if (typeof k === "number") s += `[${k}]`;
    else if (typeof k === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) s += s ? `.${k}` : k;
    else s += `[${JSON.stringify(String(k))}]`;
  }
  return s;
}

/** A found value as messages show it: `0.8`, `"fr"`, `an object`, `nothing (missing field)`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing (missing field)";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} item(s)`;
  return typeof v === "object" ? "an object" : typeof v;
}

/** Builds an Issue; the path is omitted when empty (an issue about the whole file). */
export function jsonIssue(code: IssueCode, file: string, path: readonly PropertyKey[], message: string, value?: unknown, line?: number): Issue {
  const p = formatJsonPath(path);
  return {
    code,
    file,
    ...(line !== undefined ? { line } : {}),
    ...(p ? { path: p } : {}),
    message,
    ...(value !== undefined ? { value } : {}),
  };
}

/**
 * Parses JSON text, reporting a syntax error as `file:line` with the column in
 * the message, and every duplicated object key (JSON.parse would keep the last
 * one silently). `value` is undefined after a syntax error.
 *
 * A valid file without duplicate keys, the usual case, is read by JSON.parse:
 * the keys it kept are counted against the keys written in the text (every
 * string followed by ':'), and only when they differ, or JSON.parse refuses
 * the text, does the parser below read it again to say where. That parser, run
 * once per file from a cold start, took 20 ms on a platform file that
 * JSON.parse reads in 0.2 ms.
 */
export function parseJsonText(text: string, file: string): { value: unknown; issues: Issue[] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return parseJsonExactly(text, file);
  }
  return keysKept(value) === keysWritten(body) ? { value, issues: [] } : parseJsonExactly(text, file);
}

/** Every JSON string of a text in order (lexing stays in step: outside strings JSON has no quotes), with the ':' after a key. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"([ \t\r\n]*:)?/g;

/** How many keys the text writes (a duplicate counts each time). */
function keysWritten(text: string): number {
  let n = 0;
  JSON_STRING.lastIndex = 0;
  for (let m = JSON_STRING.exec(text); m !== null; m = JSON_STRING.exec(text)) if (m[1] !== undefined) n++;
  return n;
}

/** How many keys the parsed value holds, in all its objects. */
function keysKept(v: unknown): number {
  if (typeof v !== "object" || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += keysKept(x);
  } else {
    for (const k in v) n += 1 + keysKept((v as Record<string, unknown>)[k]);
  }
  return n;
}

/** parseJsonText's own parser: the position of every syntax error, and every duplicated key. */
export function parseJsonExactly(text: string, file: string): { value: unknown; issues: Issue[] } {
  const issues: Issue[] = [];
  const STOP = Symbol("stop");
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  // Line starts, found once, so each lookup is a binary search (not a scan from the top).
  let lineStarts: number[] | undefined;
  const lineOf = (at: number): { line: number; column: number } => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - lineStarts[lo] + 1 };
  };
  const foundAt = (at: number): string => {
    if (at >= text.length) return "end of file";
    const word = /[A-Za-z0-9_$.+-]+/y;
    word.lastIndex = at;
    const m = word.exec(text);
    const token = m ? m[0].slice(0, 20) : text[at];
    if (token === "\n" || token === "\r") return "a line break";
    return token === "'" ? `"'"` : `'${token}'`;
  };
  const fail = (at: number, expected: string): never => {
    const { line, column } = lineOf(at);
    issues.push({ code: "parse_error", file, line, message: `column ${column}: expected ${expected}, got ${foundAt(at)}` });
    throw STOP;
  };
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const str = (): string => {
    const start = i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail(i, "a closing '\"'");
      if (c === 34) break;
      if (c < 0x20) fail(i, "no control character inside a string (escape it)");
      i += c === 92 ? 2 : 1;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail(start, "a string with valid escapes");
    }
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const value = (path: PropertyKey[]): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      const seen = new Map<string, number>();
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] === "}" && seen.size > 0) fail(i, "a property name after ',' (JSON allows no trailing comma)");
        if (text[i] !== '"') fail(i, "a property name in double quotes");
        const keyAt = i;
        const key = str();
        ws();
        if (text[i] !== ":") fail(i, "':' after a property name");
        i++;
        const v = value([...path, key]);
        const first = seen.get(key);
        if (first !== undefined) {
          const { line } = lineOf(keyAt);
          issues.push(jsonIssue("duplicate_id", file, [...path, key], `expected each key once, got "${key}" again (first at line ${first}; JSON would keep only the last)`, undefined, line));
        } else seen.set(key, lineOf(keyAt).line);
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail(i, text[i] === '"' ? "',' before the next property" : "',' or '}' after a property value");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        ws();
        if (arr.length > 0 && text[i] === "]") fail(i, "a value after ',' (JSON allows no trailing comma)");
        arr.push(value([...path, arr.length]));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail(i, "',' or ']' after an array item");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(i, "a value");
    i += m[0].length;
    return Number(m[0]);
  };

  try {
    const v = value([]);
    ws();
    if (i < text.length) fail(i, "end of file after the value");
    return { value: v, issues };
  } catch (e) {
    if (e === STOP) return { value: undefined, issues };
    throw e;
  }
}

const EXPECTED_TYPE: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "a boolean",
  object: "an object",
  record: "an object",
  array: "an array",
  tuple: "an array",
};

type AnySchema = z.ZodType;

/** Unwraps optionals and picks the option of a discriminated union that matches the value. */
function unwrapSchema(s: AnySchema | undefined, v: unknown): AnySchema | undefined {
  while (s instanceof z.ZodOptional) s = s.unwrap() as AnySchema;
  if (s instanceof z.ZodDiscriminatedUnion) {
    const d = s.def.discriminator;
    const tag = isObject(v) ? v[d] : undefined;
    return (s.options as AnySchema[]).find((o) => o instanceof z.ZodObject && (o.shape[d] as z.ZodLiteral).values?.has(tag as never));
  }
  return s;
}

/** The schema describing the value at `path`, when it can be found. */
function schemaAt(root: AnySchema, json: unknown, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrapSchema(root, json);
  let v = json;
  for (const k of path) {
    if (s instanceof z.ZodObject) s = s.shape[k as string] as AnySchema | undefined;
    else if (s instanceof z.ZodArray) s = s.element as AnySchema;
    else if (s instanceof z.ZodRecord) s = s.valueType as AnySchema;
    else if (s instanceof z.ZodTuple) s = s.def.items[k as number] as AnySchema | undefined;
    else return undefined;
    v = isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
    s = unwrapSchema(s, v);
  }
  return s;
}

/**
 * Turns zod issues into impactsim Issues (code "schema"), with messages of the
 * shape "expected ..., got ...". `root` and `json` let an unknown field's
 * message list the fields that are allowed there.
 */
export function issuesFromZod(zodIssues: readonly z.core.$ZodIssue[], file: string, root: AnySchema, json: unknown): Issue[] {
  const out: Issue[] = [];
  for (const iss of zodIssues) {
    const input = (iss as { input?: unknown }).input;
    const push = (message: string, path: readonly PropertyKey[] = iss.path, value: unknown = input): void => {
      out.push(jsonIssue("schema", file, path, message, value));
    };
    switch (iss.code) {
      case "invalid_type":
        push(`expected ${EXPECTED_TYPE[iss.expected] ?? iss.expected}, got ${describeValue(input)}`);
        break;
      case "too_small":
      case "too_big": {
        const small = iss.code === "too_small";
        const bound = Number(small ? iss.minimum : (iss as z.core.$ZodIssueTooBig).maximum);
        const inclusive = iss.inclusive !== false;
        if (iss.origin === "number") {
          const op = small ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
          // A bound given with its reason (core/limits.ts) says why.
          const why = /^Too (big|small)/.test(iss.message) ? "" : `: ${iss.message}`;
          push(`expected a number ${op} ${bound}${why}, got ${describeValue(input)}`);
        } else if (iss.origin === "array") {
          const n = Array.isArray(input) ? input.length : "?";
          push(`expected ${small ? "at least" : "at most"} ${bound} item(s), got ${n}`);
        } else if (iss.origin === "string" && small && bound === 1) {
          push(`expected a non-empty string, got ${describeValue(input)}`);
        } else push(`${iss.message}, got ${describeValue(input)}`);
        break;
      }
      case "invalid_value":
        push(`expected ${iss.values.length === 1 ? "" : "one of "}${iss.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(input)}`);
        break;
      case "invalid_union": {
        const d = (iss as { discriminator?: string }).discriminator;
        const options = (iss as { options?: unknown[] }).options;
        if (d !== undefined && options) {
          const tag = isObject(input) ? input[d] : undefined;
          push(`expected one of ${options.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(tag)}`, iss.path, tag);
        } else push(`expected ${iss.message}, got ${describeValue(input)}`);
        break;
      }
      case "unrecognized_keys": {
        const s = schemaAt(root, json, iss.path);
        const allowed = s instanceof z.ZodObject ? Object.keys(s.shape).join(", ") : undefined;
        for (const key of iss.keys) {
          const v = isObject(input) ? input[key] : undefined;
          push(allowed ? `unknown field, expected one of: ${allowed}` : "unknown field", [...iss.path, key], v);
        }
        break;
      }
      default:
        // Custom and format checks carry their own "expected ..." text.
        push(`${iss.message}, got ${describeValue(input)}`);
    }
  }
  return out;
}

/**
 * A zod schema built on first use and kept. Every command loads io/, and
 * building every format's schema when the module loads cost each start the
 * schemas it never uses (most of a 10-job run's schema work).
 */
export function lazySchema<S>(build: () => S): () => S {
  let schema: S | undefined;
  return () => (schema ??= build());
}

/**
 * How a file's value is parsed: with the input in each issue (issuesFromZod
 * describes it), and without zod's compiled fast path, which compiles code
 * (new Function) for each object schema on its first parse: a file is parsed
 * once per process, so compiling cost more than it saved.
 */
export const PARSE_ONCE = { reportInput: true, jitless: true } as const;

/**
 * Reads and parses a JSON file. Syntax errors and duplicate keys come back as
 * issues.
 * @throws InputError (code io_error) when the file cannot be read
 */
export async function readJsonFile(path: string): Promise<{ value: unknown; issues: Issue[] }> {
  return parseJsonText(await readTextFile(path), path);
}

/**
 * A checker and a loader for a JSON file format from one function giving every
 * issue of a parsed value (and the value when there is none): both throw an
 * InputError holding every issue, the loader also io_error and parse_error.
 */
export function jsonFormat<T>(issuesOf: (json: unknown, file: string) => { value?: T; issues: Issue[] }): { check(json: unknown, file: string): T; load(path: string): Promise<T> } {
  return {
    check(json, file) {
      const { value, issues } = issuesOf(json, file);
      if (value === undefined) throw new InputError(issues);
      return value;
    },
    async load(path) {
      const { value, issues } = await readJsonFile(path);
      // After a syntax error there is no value to check; duplicate keys still let it be checked.
      if (value === undefined && issues.length > 0) throw new InputError(issues);
      const checked = issuesOf(value, path);
      issues.push(...checked.issues);
      if (checked.value === undefined || issues.length > 0) throw new InputError(issues);
      return checked.value;
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
