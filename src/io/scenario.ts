/**
 * Scenario files: a zod schema for ScenarioSpec (see spec.ts), a check that
 * returns every issue and a loader that throws them all. Nothing is resolved
 * here: paths stay relative to the scenario file (see resolveFrom).
 */
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { MAX_FORECAST_ERROR } from "../core/index.js";
import { InputError, type Issue } from "../core/index.js";
import { issuesFromZod, lazySchema, PARSE_ONCE, parseJsonText } from "./json.js";
import { checkedOnce } from "./parseCache.js";
import { readTextFile } from "./readText.js";
import type { ScenarioSpec } from "./spec.js";

/** ISO 8601 date-time with seconds optional and an explicit offset ("Z" or "+01:00"). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** True when `s` is an ISO 8601 date-time with an offset that names a real instant. */
export function isIsoWithOffset(s: string): boolean {
  if (!ISO_WITH_OFFSET.test(s) || Number.isNaN(Date.parse(s))) return false;
  // Date.parse accepts 2021-02-30 (rolls over): compare the calendar date back.
  const [y, m, d] = s.slice(0, 10).split("-").map(Number);
  const check = new Date(Date.UTC(y, m - 1, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d;
}

const scenarioSchema = lazySchema(() => {
  const nonEmpty = z.string().min(1);
  return z.strictObject({
    name: nonEmpty,
    description: z.string().optional(),
    platform: nonEmpty,
    workload: z.strictObject({
      file: nonEmpty,
      format: z.literal("swf"),
      mode: z.enum(["strict", "lenient"]),
      start: z.string().refine(isIsoWithOffset, { error: 'expected an ISO 8601 date-time with an offset, e.g. "2020-01-01T00:00:00+01:00"' }),
      exclusive: z.boolean().optional(),
      cpu_usage: z.enum(["trace", "ignore"]).optional(),
    }),
    series_extension: z.enum(["error", "hold", "repeat"]).optional(),
    attribution: z.strictObject({ static_split: z.enum(["allocated", "jobs"]).optional(), embodied_after_life: z.enum(["linear", "capped", "paid"]).optional() }).optional(),
    score_method: z.enum(["ef3.1", "ef3.0"]).optional(),
    policy: z
      .strictObject({
        name: z.enum(["fcfs", "easy", "conservative", "heft", "temporal", "weighted", "consolidate", "powercap", "campaign", "flexible"]).optional(),
        module: nonEmpty.optional(),
        params: z.record(z.string(), z.unknown()).optional(),
      })
      .refine((p) => (p.name === undefined) !== (p.module === undefined), {
        error: "expected exactly one of name (a built-in policy) and module (a policy module file, relative to the scenario file)",
      }),
    seed: z.number().int(),
    forecast: z.strictObject({ bias: z.number().gt(-1).max(MAX_FORECAST_ERROR, { error: "a relative bias beyond 1,000 % (see core/limits.ts)" }), sigma: z.number().min(0).max(MAX_FORECAST_ERROR, { error: "a relative noise beyond 1,000 % (see core/limits.ts)" }) }).optional(),
    qos: z
      .strictObject({
        classes: z
          .array(
            z.strictObject({
              name: nonEmpty,
              max_delay_s: z.number().min(0),
              deadline_s: z.number().gt(0).optional(),
              impact_preference: z.number().min(0).max(1),
              priority: z.number().optional(),
              preemptible: z.boolean().optional(),
              checkpoint_s: z.number().min(0).optional(),
              min_piece_s: z.number().min(0).optional(),
            }),
          )
          .min(1),
        assign: z.discriminatedUnion("by", [
          z.strictObject({ by: z.literal("project"), projects: z.record(z.string(), nonEmpty), default: nonEmpty }),
          z.strictObject({ by: z.literal("share"), shares: z.record(z.string(), z.number().min(0)) }),
        ]),
      })
      .optional(),
    workflows: z
      .array(
        z.strictObject({
          file: nonEmpty,
          submit_s: z.number().min(0),
          site: nonEmpty,
          project: nonEmpty.optional(),
          initial_tier: nonEmpty.optional(),
          accelerated: z
            .array(z.strictObject({ device: z.enum(["gpu", "fpga"]), task_prefix: nonEmpty, speedup: z.number().gt(0), bitstream: nonEmpty.optional() }))
            .optional(),
          accelerated_source: nonEmpty.optional(),
        }),
      )
      .optional(),
    output: z.strictObject({
      dir: nonEmpty,
      jobs_csv: z.boolean().optional(),
      timeseries_csv: z.boolean().optional(),
      nodes_csv: z.boolean().optional(),
    }),
  });
});

// The schema's output must be a ScenarioSpec (compile-time check only).
const _scenarioMatchesSpec = (s: z.infer<ReturnType<typeof scenarioSchema>>): ScenarioSpec => s;
void _scenarioMatchesSpec;

/**
 * Every problem of a parsed scenario file (code "schema"). Empty when valid.
 * @param file the name used in messages, e.g. "scenarios/eu.json"
 */
export function checkScenario(json: unknown, file: string): Issue[] {
  const schema = scenarioSchema();
  const parsed = schema.safeParse(json, PARSE_ONCE);
  return parsed.success ? [] : issuesFromZod(parsed.error.issues, file, schema, json);
}

/**
 * Reads and checks a scenario file. Paths inside stay as written.
 * @throws InputError holding every issue (syntax errors with line and column)
 */
export async function loadScenario(path: string): Promise<ScenarioSpec> {
  const text = await readTextFile(path);
  const { value, issues: syntax } = parseJsonText(text, path);
  // A text this build found valid before is not checked again (parseCache.ts).
  const issues = checkedOnce("scenario", text, () => (value !== undefined || syntax.length === 0 ? [...syntax, ...checkScenario(value, path)] : syntax));
  if (issues.length > 0) throw new InputError(issues);
  return value as ScenarioSpec;
}

/**
 * A path written in `file` (relative to that file's folder) as a path usable
 * from the working directory; absolute paths are returned unchanged.
 * resolveFrom("scenarios/eu.json", "../platforms/two-site-eu.json") is "platforms/two-site-eu.json".
 */
export function resolveFrom(file: string, relative: string): string {
  return isAbsolute(relative) ? relative : join(dirname(file), relative);
}
