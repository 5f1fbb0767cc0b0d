/**
 * Sweep files (issue 5): a base scenario expanded over parameters into
 * indexed variants by a cartesian product (OpenDC's Cartesian experiments).
 * A zod schema with a check that returns every issue with its JSON path,
 * a loader that throws them all, and `expandSweep`, a pure function of the
 * spec, so every shard and every worker count sees the same variants.
 *
 * ```json
 * { "name": "policies", "base": "qos-eu.json",
 *   "parameters": { "policy": ["temporal"], "policy.params.step_s": [900, 3600],
 *                   "forecast.sigma": [0, 0.2], "seed": { "replicas": 5 } },
 *   "output": { "dir": "../results/sweep-policies" } }
 * ```
 *
 * Parameters supported:
 * - `policy`: policy names;
 * - `policy.params.<name>`: values of a policy parameter (any JSON value), applied to
 *   every policy of the variant; a policy that does not know the parameter is an error;
 *   the scenario's own parameters are kept when the variant runs the scenario's policy;
 * - `forecast.bias`, `forecast.sigma`: the intensity forecast error (the other one is the scenario's, else 0);
 * - `workload`, `platform`: other SWF traces or platform files, relative to the sweep file;
 * - `seed`: `{ "replicas": n, "from"?: s }` (Monte Carlo replicas) or a list of integer seeds.
 * Not yet: node counts, PUE, hardware lifetime, grid zone and workload scaling
 * (they need platform and workload transforms in run/); they are refused with that message.
 *
 * Order: parameters in the order the file lists them, the first varying
 * slowest, except `seed`, which always varies fastest, so the replicas of a
 * group are consecutive: variant index = group × replicas + replica.
 *
 * Seeds: replica r runs with seed `seedNumber(deriveSeed(from, "replica/r"))`
 * (from = 1 by default), the same for every group: replicas are common random
 * numbers, so two groups' replica r see the same QoS draws and forecast noise,
 * and differences between groups are not blurred by seed noise.
 */
import { z } from "zod";
import { InputError, type Issue } from "../core/index.js";
import { deriveSeed } from "../core/index.js";
import { MAX_SWEEP_VARIANTS } from "../core/index.js";
import { issuesFromZod, jsonIssue, readJsonFile } from "../io/index.js";
import { resolveFrom } from "../io/index.js";
import { POLICIES } from "../planner/index.js";
import type { RunTask, RunTaskOverrides } from "./pool.js";

export interface SweepSpec {
  readonly name: string;
  readonly description?: string;
  /** Scenario file, relative to the sweep file. */
  readonly base: string;
  /** Parameter name → values (see the module comment); insertion order is expansion order. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly output: { readonly dir: string };
}

/** The parameters a sweep may vary today; `policy.params.<name>` matches by prefix. */
export const SWEEP_PARAMETERS = [
  "policy",
  "policy.params.<name>",
  "seed",
  "forecast.bias",
  "forecast.sigma",
  "workload",
  "platform",
  "platform.pue",
  "platform.nodes_scale",
  "platform.lifetime_years",
  "platform.zone",
  "workload.scale",
] as const;
const NOT_YET: string[] = [];
/** Sweep keys that set RunOverrides.platformVariant fields. */
const PLATFORM_VARIANT: Readonly<Record<string, "pue" | "nodes_scale" | "lifetime_years" | "zone">> = {
  "platform.pue": "pue",
  "platform.nodes_scale": "nodes_scale",
  "platform.lifetime_years": "lifetime_years",
  "platform.zone": "zone",
};

const nonEmpty = z.string().min(1);
const values = <T extends z.ZodType>(item: T) => z.array(item).min(1);
const seedSchema = z.union([z.strictObject({ replicas: z.number().int().min(1), from: z.number().int().optional() }), values(z.number().int())]);

/** The value schema of a parameter, or undefined when the name is not supported. */
function parameterSchema(name: string): z.ZodType | undefined {
  if (name === "policy") return values(z.enum(Object.keys(POLICIES) as [string, ...string[]]));
  if (/^policy\.params\.[^.]+$/.test(name)) return values(z.unknown());
  if (name === "seed") return seedSchema;
  if (name === "forecast.bias") return values(z.number().gt(-1));
  if (name === "forecast.sigma") return values(z.number().min(0));
  if (name === "workload" || name === "platform") return values(nonEmpty);
  if (name === "platform.pue") return values(z.number().min(1));
  if (name === "platform.nodes_scale" || name === "platform.lifetime_years" || name === "workload.scale") return values(z.number().gt(0));
  if (name === "platform.zone") return values(z.string().regex(/^[A-Z]{3}$/, "expected a 3-letter zone code"));
  return undefined;
}

function sweepSchema(names: readonly string[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const n of names) shape[n] = parameterSchema(n) ?? z.unknown();
  return z.strictObject({
    name: nonEmpty,
    description: z.string().optional(),
    base: nonEmpty,
    parameters: z.strictObject(shape),
    output: z.strictObject({ dir: nonEmpty }),
  });
}

/**
 * Every problem of a parsed sweep file, each with its JSON path. Empty when valid.
 * Checks the schema, refuses parameters not supported (yet), and tries every
 * policy with every swept policy parameter so an unknown parameter is found
 * before any run.
 * @param file the name used in messages
 */
export function checkSweep(json: unknown, file: string): Issue[] {
  const params = json !== null && typeof json === "object" ? (json as { parameters?: unknown }).parameters : undefined;
  const names = params !== null && typeof params === "object" && !Array.isArray(params) ? Object.keys(params) : [];
  const root = sweepSchema(names);
  const parsed = root.safeParse(json, { reportInput: true });
  const issues = parsed.success ? [] : issuesFromZod(parsed.error.issues, file, root, json);
  for (const n of names) {
    if (parameterSchema(n) !== undefined) continue;
    const later = NOT_YET.includes(n) ? `"${n}" is not supported yet; ` : "";
    issues.push(jsonIssue("invalid_value", file, ["parameters", n], `${later}expected one of ${SWEEP_PARAMETERS.join(", ")}, got "${n}"`, n));
  }
  if (issues.length > 0) return issues;
  const p = params as Record<string, unknown>;
  const policies = (p.policy as string[] | undefined) ?? [];
  for (const n of names.filter((x) => x.startsWith("policy.params."))) {
    const key = n.slice("policy.params.".length);
    for (const policy of policies) {
      for (const [i, v] of (p[n] as unknown[]).entries()) {
        try {
          POLICIES[policy]({ [key]: v });
        } catch (err) {
          issues.push(jsonIssue("invalid_value", file, ["parameters", n, i], err instanceof Error ? err.message : String(err), v));
          break;
        }
      }
    }
  }
  return issues;
}

/**
 * Reads and checks a sweep file.
 * @throws InputError holding every issue
 */
export async function loadSweep(path: string): Promise<SweepSpec> {
  const { value, issues } = await readJsonFile(path);
  if (value !== undefined || issues.length === 0) issues.push(...checkSweep(value, path));
  if (issues.length > 0) throw new InputError(issues);
  return value as SweepSpec;
}

/** What a variant changes of its base scenario: RunTaskOverrides plus the forecast error components swept (the others are the scenario's). */
export type VariantOverrides = RunTaskOverrides & { readonly forecast?: { readonly bias?: number; readonly sigma?: number } };

export interface Variant {
  /** Position in the expansion, 0-based. */
  readonly index: number;
  /** Variants that differ only by seed share a group. */
  readonly group: number;
  /** Position within the group (0 without a seed parameter). */
  readonly replica: number;
  /** The swept values of this variant except the seed, keyed by parameter name. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Seed of the run; undefined when the sweep does not vary seeds (the scenario's). */
  readonly seed?: number;
  /** Policy parameters swept (merged with the base policy's by the runner when it is the scenario's policy). */
  readonly policyParams?: Readonly<Record<string, unknown>>;
  readonly overrides: VariantOverrides;
}

/** A non-negative 31-bit integer seed from a derived seed string (FNV-1a). */
export function seedNumber(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** The fields of `values` named in `names`, under their new keys (absent ones left out). */
function pick(values: Readonly<Record<string, unknown>>, names: Readonly<Record<string, string>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(names)) if (values[n] !== undefined) out[k] = values[n] as number;
  return out;
}

/** The seeds of the `seed` parameter, in order. */
function seedsOf(v: unknown): number[] {
  if (Array.isArray(v)) return v as number[];
  const { replicas, from } = v as { replicas: number; from?: number };
  return Array.from({ length: replicas }, (_, r) => seedNumber(deriveSeed(from ?? 1, `replica/${r}`)));
}

/**
 * The variants of a sweep: the cartesian product of its parameters in a fixed
 * order (see the module comment). Paths of workload and platform files are
 * resolved from `file`, the sweep file's path, when given.
 */
function platformVariantOf(values: Record<string, unknown>): { platformVariant?: Record<string, number | string> } {
  const variant: Record<string, number | string> = {};
  for (const [key, field] of Object.entries(PLATFORM_VARIANT)) if (values[key] !== undefined) variant[field] = values[key] as number | string;
  return Object.keys(variant).length > 0 ? { platformVariant: variant } : {};
}

/** How many variants a sweep expands to, counted without expanding it. */
export function sweepSize(spec: SweepSpec): number {
  let n = 1;
  for (const [k, v] of Object.entries(spec.parameters)) {
    if (k === "seed") n *= Array.isArray(v) ? v.length : (v as { replicas: number }).replicas;
    else n *= (v as unknown[]).length;
  }
  return n;
}

/**
 * @param maxVariants refuse a sweep of more variants than this (default MAX_SWEEP_VARIANTS), before expanding it
 * @throws InputError naming the sweep file and the size of each parameter when the sweep is larger
 */
export function expandSweep(spec: SweepSpec, file?: string, maxVariants: number = MAX_SWEEP_VARIANTS): Variant[] {
  const size = sweepSize(spec);
  if (size > maxVariants) {
    const factors = Object.entries(spec.parameters).map(([k, v]) => `${k}: ${k === "seed" && !Array.isArray(v) ? (v as { replicas: number }).replicas : (v as unknown[]).length}`);
    throw new InputError([{ code: "invalid_value", file: file ?? spec.name, path: "parameters", message: `expected at most ${maxVariants.toLocaleString("en-US")} variants (each is a whole run; give --max-variants N to run more), got ${size.toLocaleString("en-US")} (${factors.join(" x ")})`, value: size }]);
  }
  const entries = Object.entries(spec.parameters).filter(([k]) => k !== "seed");
  const seeds = spec.parameters.seed !== undefined ? seedsOf(spec.parameters.seed) : [undefined];
  let combos: Record<string, unknown>[] = [{}];
  for (const [name, list] of entries) combos = combos.flatMap((c) => (list as unknown[]).map((v) => ({ ...c, [name]: v })));
  const at = (p: string) => (file !== undefined ? resolveFrom(file, p) : p);
  const out: Variant[] = [];
  combos.forEach((values, group) => {
    const policyParams: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) if (k.startsWith("policy.params.")) policyParams[k.slice("policy.params.".length)] = v;
    const hasForecast = "forecast.bias" in values || "forecast.sigma" in values;
    seeds.forEach((seed, replica) => {
      const overrides: VariantOverrides = {
        ...(values.policy !== undefined ? { policy: values.policy as string } : {}),
        ...(values.workload !== undefined ? { workload: at(values.workload as string) } : {}),
        ...(values.platform !== undefined ? { platform: at(values.platform as string) } : {}),
        ...(hasForecast ? { forecast: pick(values, { bias: "forecast.bias", sigma: "forecast.sigma" }) } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...platformVariantOf(values),
        ...(values["workload.scale"] !== undefined ? { workloadScale: values["workload.scale"] as number } : {}),
      };
      out.push({
        index: group * seeds.length + replica,
        group,
        replica,
        values,
        ...(seed !== undefined ? { seed } : {}),
        ...(Object.keys(policyParams).length > 0 ? { policyParams } : {}),
        overrides,
      });
    });
  });
  return out;
}

/**
 * The run task of a variant on its base scenario: a forecast error swept in
 * one component takes the scenario's other one (else 0),
 * and swept policy parameters are merged over the scenario's when the variant
 * runs the scenario's policy.
 */
export function variantTask(v: Variant, scenarioPath: string, scenario: { policy: { name?: string; params?: Readonly<Record<string, unknown>> }; forecast?: { bias: number; sigma: number } }): RunTask {
  let overrides = v.overrides;
  if (overrides.forecast) {
    const f = overrides.forecast;
    const base = scenario.forecast ?? { bias: 0, sigma: 0 };
    overrides = { ...overrides, forecast: { bias: f.bias ?? base.bias, sigma: f.sigma ?? base.sigma } };
  }
  const samePolicy = (overrides.policy ?? scenario.policy.name) === scenario.policy.name;
  const policyParams = v.policyParams !== undefined ? { ...(samePolicy ? (scenario.policy.params ?? {}) : {}), ...v.policyParams } : undefined;
  // runTask spreads its overrides into runScenario's, so `forecast` reaches the run
  // although RunTaskOverrides does not name it yet.
  return { id: String(v.index), scenario: scenarioPath, overrides: overrides as RunTaskOverrides, ...(policyParams !== undefined ? { policyParams } : {}) };
}
