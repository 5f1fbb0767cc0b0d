/**
 * Runtime profile files: run times a user measured for a job before, per device
 * class, for calibrating a pre-submission estimate (planner/calibrate.ts).
 *
 *   { "source": "measured on <cluster>, <date>, 5 runs of case A", "job": "lbm-3d",
 *     "runs": [ { "device": "cpu", "runtime_s": 3600, "cores": 128 },
 *               { "device": "gpu", "runtime_s": 610, "gpus": 4 } ] }
 *
 * `source` is required: every measured number carries where it comes from.
 * A zod schema checks the shape (issues with code "schema"); a run that names
 * accelerators of another class than its device is refused ("invalid_value").
 * `checkProfile()` and `loadProfile()` throw an InputError holding every issue.
 */
import { z } from "zod";
import type { Issue } from "../core/index.js";
import { issuesFromZod, jsonFormat, jsonIssue, lazySchema, PARSE_ONCE } from "./json.js";
import { DEVICE_CLASSES, type DeviceClass } from "./spec.js";

export interface ProfileRun {
  readonly device: DeviceClass;
  /** Measured run time, s (> 0). */
  readonly runtime_s: number;
  /** Cores, GPUs and FPGAs the run used (whole job). */
  readonly cores?: number;
  readonly gpus?: number;
  readonly fpgas?: number;
  /** Node type it ran on, in words or a platform's node type id. */
  readonly node_type?: string;
}

export interface RuntimeProfile {
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly source: string;
  readonly job?: string;
  readonly runs: readonly ProfileRun[];
}

/** Built on first use (see lazySchema). */
const profileSchema = lazySchema(() => {
  const nonEmpty = z.string().min(1);
  const count = z.number().int().min(1);
  // A refinement (not .positive()) so the message reads "expected a positive number, got -3".
  const positive = z.number().refine((v) => v > 0, { error: "expected a positive number" });

  const runSchema = z.strictObject({
    device: z.enum(DEVICE_CLASSES),
    runtime_s: positive,
    cores: count.optional(),
    gpus: count.optional(),
    fpgas: count.optional(),
    node_type: nonEmpty.optional(),
  });

  const profileSchema = z.strictObject({
    source: nonEmpty,
    job: nonEmpty.optional(),
    runs: z.array(runSchema).min(1),
  });

  return profileSchema;
});

// The schema's output must fit RuntimeProfile (compile-time check only).
const _profileMatchesType = (p: z.infer<ReturnType<typeof profileSchema>>, file: string): RuntimeProfile => ({ file, ...p });
void _profileMatchesType;

/** Accelerator count fields, and the device class each belongs to. */
const ACCELERATOR_FIELDS = [
  ["gpus", "gpu"],
  ["fpgas", "fpga"],
] as const;

/** Every issue of a parsed profile file, and the profile when there is none. */
function profileIssues(json: unknown, file: string): { value?: RuntimeProfile; issues: Issue[] } {
  const schema = profileSchema();
  const parsed = schema.safeParse(json, PARSE_ONCE);
  const issues = parsed.success ? [] : issuesFromZod(parsed.error.issues, file, schema, json);
  // A GPU count on a CPU run (or FPGAs on a GPU run) leaves unclear which device was measured.
  const runs = isObject(json) && Array.isArray(json.runs) ? json.runs : [];
  runs.forEach((run: unknown, i) => {
    if (!isObject(run) || !(DEVICE_CLASSES as readonly unknown[]).includes(run.device)) return;
    for (const [field, device] of ACCELERATOR_FIELDS) {
      if (run[field] !== undefined && run.device !== device) {
        issues.push(jsonIssue("invalid_value", file, ["runs", i, field], `expected no ${field} on a "${String(run.device)}" run (give device "${device}" for a run on them), got ${String(run[field])}`, run[field]));
      }
    }
  });
  if (!parsed.success || issues.length > 0) return { issues };
  const { source, job, runs: checked } = parsed.data;
  return { value: { file, source, ...(job !== undefined ? { job } : {}), runs: checked }, issues };
}

const profileFormat = jsonFormat(profileIssues);

/**
 * Checks a parsed profile file and returns it as a RuntimeProfile.
 * @param file the name used in messages, e.g. "profiles/lbm.json"
 * @throws InputError holding every issue
 */
export function checkProfile(json: unknown, file: string): RuntimeProfile {
  return profileFormat.check(json, file);
}

/**
 * Reads and checks a profile file.
 * @throws InputError: io_error when unreadable, parse_error (with line and column) when not JSON, else every issue of checkProfile
 */
export function loadProfile(path: string): Promise<RuntimeProfile> {
  return profileFormat.load(path);
}

/** The measured run times, s, of a profile's runs on one device class, in file order (empty when none). */
export function profileSamples(profile: RuntimeProfile, device: DeviceClass): number[] {
  return profile.runs.filter((r) => r.device === device).map((r) => r.runtime_s);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
