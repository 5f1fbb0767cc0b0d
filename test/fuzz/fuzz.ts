/**
 * Shared pieces of the property-based fuzz tests: how many cases to run, the
 * seed, mutations of valid inputs (text and JSON), and the checks every reader
 * and every run must pass.
 *
 * `npm test` runs a few hundred cases with a fixed seed, so it is
 * deterministic. `npm run fuzz` sets FUZZ_RUNS (e.g. 20000): each property then
 * runs FUZZ_RUNS x its weight cases, with a fresh seed unless FUZZ_SEED is set.
 * fast-check prints the seed and the shrunk counterexample of a failure; rerun
 * with FUZZ_SEED=<seed> to reproduce it.
 */
import fc from "fast-check";
import { InputError, SimulationError } from "../../src/core/errors.js";

const fuzzRuns = Number(process.env.FUZZ_RUNS ?? "0");
/** True under `npm run fuzz`. */
export const FUZZING = fuzzRuns > 0;
const seedText = process.env.FUZZ_SEED;
/** The fixed seed of `npm test`; under `npm run fuzz` a fresh one unless FUZZ_SEED is given. */
export const SEED = seedText !== undefined ? Number(seedText) : FUZZING ? Date.now() % 2 ** 31 : 20_261_201;

/**
 * Parameters for fc.assert: `inTest` cases under `npm test`; under `npm run
 * fuzz`, FUZZ_RUNS x weight (at least `inTest`), weight < 1 for slow properties.
 */
export function runs(inTest: number, weight = 1): { numRuns: number; seed: number } {
  return { numRuns: FUZZING ? Math.max(inTest, Math.round(fuzzRuns * weight)) : inTest, seed: SEED };
}

/** A test's time limit: the configured one under `npm test`, hours under `npm run fuzz`. */
export const FUZZ_TIMEOUT_MS = FUZZING ? 6 * 3600_000 : undefined;

// ---------------------------------------------------------------------------
// Text mutations

/** Replacements for a number: huge, tiny, negative, not numbers, empty. */
export const weirdNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("1e308", "-1e308", "1e20", "-1", "-0", "0", "NaN", "Infinity", "-Infinity", "", "1e-320", "99999999999999999999", "0x1f", "1_000", "+5", ".", "-", "1e", "3.5", "2147483648", "9007199254740993"),
  fc.double().map(String),
  fc.integer().map(String),
);

/** Bytes that confuse parsers: separators, quotes, BOM, NUL, control and odd Unicode characters. */
export const garbage: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("\0", "\uFEFF", "\r", "\r\n", "\n", "\t", ",", ";", '"', "'", "#", "#SBATCH ", "{", "}", "[", "]", ":", "\u2028", "é", "\uD800", "\\", " ", "-1", "\u00a0"),
  fc.string({ unit: "binary", maxLength: 8 }),
);

export type TextMutation =
  | { readonly kind: "deleteLine" | "duplicateLine"; readonly at: number }
  | { readonly kind: "swapLines"; readonly a: number; readonly b: number }
  | { readonly kind: "number"; readonly at: number; readonly value: string }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("deleteLine" as const, "duplicateLine" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant("number" as const), at: fc.nat(), value: weirdNumberText }), weight: 3 },
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: garbage }), weight: 2 },
);

/** One to four mutations, applied in order. */
export const textMutations: fc.Arbitrary<TextMutation[]> = fc.array(textMutation, { minLength: 1, maxLength: 4 });

const NUMBER = /[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/** `text` with the mutations applied (positions taken modulo the current sizes). */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let t = text;
  for (const m of mutations) {
    switch (m.kind) {
      case "deleteLine":
      case "duplicateLine":
      case "swapLines": {
        const lines = t.split("\n");
        if (m.kind === "deleteLine") lines.splice(m.at % lines.length, 1);
        else if (m.kind === "duplicateLine") lines.splice(m.at % lines.length, 0, lines[m.at % lines.length]);
        else if (m.kind === "swapLines") {
          const [a, b] = [m.a % lines.length, m.b % lines.length];
          [lines[a], lines[b]] = [lines[b], lines[a]];
        }
        t = lines.join("\n");
        break;
      }
      case "number": {
        const found = [...t.matchAll(NUMBER)];
        if (found.length === 0) break;
        const hit = found[m.at % found.length];
        t = t.slice(0, hit.index) + m.value + t.slice(hit.index! + hit[0].length);
        break;
      }
      case "truncate":
        t = t.slice(0, m.at % (t.length + 1));
        break;
      case "insert": {
        const at = m.at % (t.length + 1);
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      }
    }
  }
  return t;
}

// ---------------------------------------------------------------------------
// JSON mutations

/** Values of the wrong kind or out of any plausible range. */
export const weirdJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, "", "x", -1, 0, 1, 0.5, 1e308, -1e308, 1e20, 2 ** 53, [], {}, [1], { a: 1 }, "1e308", "-1"),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 6 }),
);

export type JsonMutation =
  | { readonly kind: "set"; readonly path: readonly number[]; readonly value: unknown }
  | { readonly kind: "scale"; readonly path: readonly number[]; readonly factor: number }
  | { readonly kind: "delete" | "duplicate"; readonly path: readonly number[] };

const jsonPath = fc.array(fc.nat(), { minLength: 1, maxLength: 6 });

/**
 * One to three changes at random places in a JSON document: a value of any
 * kind, a number scaled (so the type stays right and only the size is odd),
 * a key or element deleted or duplicated.
 */
export const jsonMutations: fc.Arbitrary<JsonMutation[]> = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("set" as const), path: jsonPath, value: weirdJson }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("scale" as const), path: jsonPath, factor: fc.constantFrom(0, -1, 0.5, 2, 10, 1e3, 1e9, 1e300) }), weight: 3 },
    fc.record({ kind: fc.constantFrom("delete" as const, "duplicate" as const), path: jsonPath }),
  ),
  { minLength: 1, maxLength: 3 },
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A deep copy of `doc` with the mutations applied; a path walks down by child index (modulo the child count). */
export function mutateJson<T>(doc: T, mutations: readonly JsonMutation[]): unknown {
  const root: { v: Json } = { v: structuredClone(doc) as Json };
  for (const m of mutations) {
    let parent: Json[] | { [k: string]: Json } | { v: Json } = root;
    let key: string | number = "v";
    for (const step of m.path) {
      const here: Json = (parent as Record<string | number, Json>)[key];
      if (here === null || typeof here !== "object") break;
      const keys: (string | number)[] = Array.isArray(here) ? here.map((_, i) => i) : Object.keys(here);
      if (keys.length === 0) break;
      parent = here;
      key = keys[step % keys.length];
    }
    const p = parent as Record<string | number, Json>;
    // A copy: the generator's constant objects are shared between cases and must stay as they are.
    if (m.kind === "set") p[key] = structuredClone(m.value) as Json;
    else if (m.kind === "scale") {
      if (typeof p[key] === "number") p[key] = (p[key] as number) * m.factor;
    }
    else if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
    } else if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
    else p[`${key}_copy`] = structuredClone(p[key]);
  }
  return root.v;
}

// ---------------------------------------------------------------------------
// Checks

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
}

/** Runs `f`: it may return anything or throw an InputError, and nothing else. */
export async function returnsOrInputError<T>(f: () => T | Promise<T>): Promise<T | InputError> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw new Error(`expected data or an InputError, got ${describeError(e)}`);
  }
}

/** Runs `f`: it may return anything or throw an InputError or a SimulationError (exit codes 3 and 4), nothing else. */
export async function returnsOrImpactsimError<T>(f: () => Promise<T>): Promise<T | InputError | SimulationError> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError || e instanceof SimulationError) return e;
    throw new Error(`expected a result, an InputError or a SimulationError, got ${describeError(e)}`);
  }
}

/** Every number in a plain value (object, array) that is NaN or infinite, by path. */
export function nonFinite(value: unknown, path = "$"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (value === null || typeof value !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) out.push(...nonFinite(v, `${path}.${k}`));
  return out;
}

/** Cells of a CSV text that spell NaN or an infinity. */
export function nonFiniteCells(csv: string): string[] {
  const out: string[] = [];
  csv.split("\n").forEach((line, i) => {
    for (const cell of line.split(",")) if (/^[-+]?(?:NaN|Infinity)$/.test(cell.trim())) out.push(`line ${i + 1}: ${cell}`);
  });
  return out;
}
