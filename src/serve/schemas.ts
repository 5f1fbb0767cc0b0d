/**
 * The service's requests as zod schemas: the same schemas check every request
 * body (errors name their JSON path) and make the OpenAPI document
 * (serve/openapi.ts), so the two cannot disagree.
 */
import { z } from "zod";
import { MAX_NODES, MAX_JOB_TIME_S } from "./limits.js";
import { UNITS } from "../ledger/index.js";

const iso = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) && Number.isFinite(Date.parse(s)), { error: "expected an ISO 8601 time with an offset, e.g. 2020-03-02T09:00:00+01:00" });
const name = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@:+-]+$/, { error: "expected 1 to 128 letters, digits or _.@:+-" });
const finite = z.number().refine(Number.isFinite, { error: "expected a finite number" });

/** When an event happens: on a simulated clock, `t` (seconds since the scenario's start, exact) or `time`; ignored on the real clock. */
const when = {
  t: finite.min(0).optional().describe("seconds since the scenario's start (simulated clock only)"),
  time: iso.optional().describe("ISO 8601 time (simulated clock only)"),
};

export const submitSchema = z
  .strictObject({
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("the scheduler's job id, unique in this service"),
    project: name.describe("the project charged (its budget)"),
    user: name,
    cores: z.number().int().min(1).max(MAX_NODES * 1024),
    walltime_s: finite.gt(0).max(MAX_JOB_TIME_S).describe("requested time; the job is killed there"),
    gpus: z.number().int().min(1).max(1 << 20).optional(),
    exclusive: z.boolean().optional().describe("whole nodes (sbatch --exclusive)"),
    nodes: z.number().int().min(1).max(MAX_NODES).optional().describe("exactly this many nodes (sbatch -N)"),
    mem_per_core_mb: finite.gt(0).max(1 << 30).optional(),
    qos: name.optional().describe("one of the scenario's QoS classes"),
    cpu_usage: finite.gt(0).max(1000).optional().describe("expected share of its cores' time kept busy (capped at 1)"),
    ...when,
  })
  .describe("a job for a placement decision");

export const endSchema = z.strictObject({
  killed: z.boolean().default(false).describe("killed at its walltime"),
  energy_j: finite.min(0).max(1e18).optional().describe("measured IT energy of the job's nodes, J (e.g. sacct ConsumedEnergy)"),
  energy_source: z.string().min(1).max(200).optional(),
  ...when,
});

export const startSchema = z.strictObject({ ...when });

export const clockSchema = z.strictObject({ ...when }).refine((b) => b.t !== undefined || b.time !== undefined, { error: "expected t or time" });

export const forecastSchema = z.strictObject({
  issued: iso.describe("when the forecast was issued"),
  points: z.array(z.strictObject({ time: iso, g_per_kwh: finite.min(0).max(2000) })).min(1).max(10_000).describe("climate-change intensity from each time on, g CO2e/kWh"),
});

export const powerBudgetSchema = z.strictObject({ watts: z.union([finite.gt(0).max(1e12), z.null()]).describe("IT power budget of the site, W; null: the platform's again") });

export const grantSchema = z.strictObject({
  key: z.string().min(1).max(200).optional().describe("makes the grant idempotent"),
  user: name.optional(),
  unit: z.enum(UNITS as [string, ...string[]]).default("score_pt"),
  amount: finite.min(-1e15).max(1e15),
  period_start: iso,
  period_end: iso,
  note: z.string().max(1000).optional(),
});

export const tokenSchema = z.strictObject({ label: z.string().min(1).max(200) });

export const refundSchema = z.strictObject({ reason: z.string().min(1).max(1000), key: z.string().min(1).max(200).optional() });

export const estimateSchema = z.strictObject({
  cores: z.number().int().min(1).max(MAX_NODES * 1024),
  walltime_s: finite.gt(0).max(MAX_JOB_TIME_S),
  gpus: z.number().int().min(1).max(1 << 20).optional(),
  exclusive: z.boolean().optional(),
  qos: name.optional(),
  cpu_usage: finite.gt(0).max(1000).optional(),
  preference: finite.min(0).max(1).optional().describe("0 = time only, 1 = impact only"),
  window_s: finite.min(0).max(30 * 86400).default(86400).describe("candidate starts from now over this window"),
  step_s: finite.gt(0).max(86400).default(3600),
});

export type SubmitBody = z.infer<typeof submitSchema>;
export type EndBody = z.infer<typeof endSchema>;
