/**
 * Cluster snapshots: the state of a live cluster at one instant, as a scheduler
 * bridge writes it (e.g. from Slurm's squeue and sinfo), for the live world's
 * ClusterView (live/view.ts). Pools are named by site and node type of the
 * platform file the snapshot goes with; times are ISO 8601 with an offset.
 *
 *   { "time": "2020-03-02T09:00:00+01:00", "source": "squeue/sinfo on <cluster>",
 *     "pools": [ { "site": "fr", "node_type": "dell-r640", "off": 1 } ],
 *     "running": [ { "id": 4021, "site": "fr", "node_type": "dell-r640", "nodes": 2,
 *                    "start": "2020-03-02T07:30:00+01:00", "time_limit_s": 14400 } ],
 *     "queue": [ { "id": 4107, "submit": "2020-03-02T08:55:00+01:00", "cores": 64,
 *                  "time_limit_s": 7200, "user": 17 } ] }
 *
 * A running job holds whole nodes unless it gives its `cores` (squeue's CPUs):
 * then it shares them, its cores spread over its `nodes` in blocks, or as its
 * `allocation` says (node indices within the pool, and the cores and GPUs it
 * holds on each, as `scontrol show job -d` gives them), which also lets
 * several jobs share a node. Nodes of a pool that no running job holds and that
 * are not listed as off, sleeping or waking are free. Queue entries are in the scheduler's priority
 * order. A zod schema checks the shape; `checkSnapshot()` and `loadSnapshot()`
 * throw an InputError holding every issue, with its JSON path.
 */
import { z } from "zod";
import type { Issue } from "../core/index.js";
import { isIsoWithOffset } from "./scenario.js";
import { issuesFromZod, jsonFormat, jsonIssue, lazySchema, PARSE_ONCE } from "./json.js";
import { DEVICE_CLASSES, type DeviceClass } from "./spec.js";

export interface SnapshotPool {
  readonly site: string;
  readonly node_type: string;
  /** Nodes off, asleep, and switching on (the rest not held by running jobs are free). */
  readonly off?: number;
  readonly sleeping?: number;
  readonly waking?: number;
}

export interface SnapshotRunning {
  readonly id: number;
  readonly site: string;
  readonly node_type: string;
  readonly nodes: number;
  readonly start: string;
  /** Its time limit (walltime), s. */
  readonly time_limit_s: number;
  readonly device?: DeviceClass;
  /** Cores it holds in all (absent: its nodes whole). */
  readonly cores?: number;
  /** Whole nodes to itself (default: true without `cores`, else false). */
  readonly exclusive?: boolean;
  /** Where it runs: per node (index within its pool, from 0), the cores and GPUs it holds there; as many entries as `nodes`. */
  readonly allocation?: readonly { readonly node: number; readonly cores: number; readonly gpus?: number }[];
}

export interface SnapshotQueued {
  readonly id: number;
  readonly submit: string;
  readonly cores: number;
  readonly time_limit_s: number;
  readonly user?: number;
  readonly gpus?: number;
  readonly account?: string;
}

export interface ClusterSnapshot {
  readonly file: string;
  readonly time: string;
  readonly source: string;
  readonly pools: readonly SnapshotPool[];
  readonly running: readonly SnapshotRunning[];
  readonly queue: readonly SnapshotQueued[];
}

/** Built on first use (see lazySchema). */
const snapshotSchema = lazySchema(() => {
  const name = z.string().min(1);
  const count = z.number().int().min(1);
  const countOrZero = z.number().int().min(0);
  const positive = z.number().refine((v) => v > 0 && Number.isFinite(v), { error: "expected a positive number" });
  const iso = z.string().refine(isIsoWithOffset, { error: "expected an ISO 8601 time with an offset, e.g. 2020-03-02T09:00:00+01:00" });

  const snapshotSchema = z.strictObject({
    time: iso,
    source: name,
    pools: z.array(z.strictObject({ site: name, node_type: name, off: countOrZero.optional(), sleeping: countOrZero.optional(), waking: countOrZero.optional() })).default([]),
    running: z
      .array(
        z.strictObject({
          id: z.number().int(),
          site: name,
          node_type: name,
          nodes: count,
          start: iso,
          time_limit_s: positive,
          device: z.enum(DEVICE_CLASSES).optional(),
          cores: count.optional(),
          exclusive: z.boolean().optional(),
          allocation: z.array(z.strictObject({ node: countOrZero, cores: countOrZero, gpus: countOrZero.optional() })).optional(),
        }),
      )
      .default([]),
    queue: z.array(z.strictObject({ id: z.number().int(), submit: iso, cores: count, time_limit_s: positive, user: z.number().int().optional(), gpus: count.optional(), account: name.optional() })).default([]),
  });

  return snapshotSchema;
});

/** Every issue of a parsed snapshot, and the snapshot when there is none. */
function snapshotIssues(json: unknown, file: string): { value?: ClusterSnapshot; issues: Issue[] } {
  const schema = snapshotSchema();
  const parsed = schema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) return { issues: issuesFromZod(parsed.error.issues, file, schema, json) };
  const s = parsed.data;
  const issues: Issue[] = [];
  // One id, one job: a bridge that lists a job twice would double its nodes.
  const seen = new Map<number, string>();
  const check = (id: number, path: (string | number)[]) => {
    if (seen.has(id)) issues.push(jsonIssue("duplicate_id", file, path, `expected each job once, got id ${id} again (first at ${seen.get(id)})`, id));
    else seen.set(id, path.join("."));
  };
  s.running.forEach((r, i) => {
    check(r.id, ["running", i, "id"]);
    const a = r.allocation;
    if (a === undefined) return;
    if (a.length !== r.nodes) issues.push(jsonIssue("invalid_value", file, ["running", i, "allocation"], `expected one entry per node (${r.nodes}), got ${a.length}`, a.length));
    if (new Set(a.map((x) => x.node)).size !== a.length) issues.push(jsonIssue("invalid_value", file, ["running", i, "allocation"], "expected each node once, got a node twice", a.map((x) => x.node).join(",")));
    const total = a.reduce((t, x) => t + x.cores, 0);
    if (r.cores !== undefined && total !== r.cores) issues.push(jsonIssue("invalid_value", file, ["running", i, "allocation"], `expected its cores to add up to cores (${r.cores}), got ${total}`, total));
  });
  s.queue.forEach((q, i) => check(q.id, ["queue", i, "id"]));
  if (issues.length > 0) return { issues };
  return { value: { file, ...s }, issues };
}

const snapshotFormat = jsonFormat(snapshotIssues);

/** @throws InputError holding every issue */
export function checkSnapshot(json: unknown, file: string): ClusterSnapshot {
  return snapshotFormat.check(json, file);
}

/** @throws InputError: io_error when unreadable, parse_error when not JSON, else every issue of checkSnapshot */
export function loadSnapshot(path: string): Promise<ClusterSnapshot> {
  return snapshotFormat.load(path);
}
