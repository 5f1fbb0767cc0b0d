/**
 * Replays a scenario's trace through a service on a simulated clock, as the
 * cluster would: jobs are submitted at their submit times, started where and
 * when the service decides, and reported ended at their actual run time on the
 * pool they got (killed at their walltime), which only this side knows. The
 * service sees what a scheduler would tell it, nothing more. Used by the
 * replay-parity tests, the crash test and the benchmarks, in process or over
 * HTTP (ReplayTarget).
 */
import { AdjustmentLog } from "../core/index.js";
import type { JobSpec } from "../io/index.js";
import { openSwf, resolveFrom } from "../io/index.js";
import type { PlatformModel } from "../models/index.js";
import type { JobRequest, Service } from "./service.js";
import type { ServiceWorld } from "./world.js";

/** A start the service decided: job, time (world s), pool by site and node type. */
export interface ReplayStart {
  readonly jobId: number;
  readonly t: number;
  readonly site: string;
  readonly nodeType: string;
}

export interface ReplayTarget {
  submit(job: JobRequest, t: number): Promise<void>;
  end(id: number, t: number, killed: boolean): Promise<void>;
  /** Moves the service's clock to t: returns the starts decided since the last call and the service's next pending time. */
  tick(t: number): Promise<{ starts: readonly ReplayStart[]; next: number; queued: number }>;
}

/** A trace's job as the service is told of it (no run time). */
export function jobRequest(spec: JobSpec): JobRequest {
  return {
    id: spec.id,
    project: spec.project,
    user: String(spec.user),
    cores: spec.cores,
    walltime_s: spec.walltime,
    ...(spec.cpuUsage !== undefined ? { cpu_usage: spec.cpuUsage } : {}),
    ...(spec.gpus !== undefined ? { gpus: spec.gpus } : {}),
    ...(spec.exclusive ? { exclusive: true } : {}),
    ...(spec.exactNodes !== undefined ? { nodes: spec.exactNodes } : {}),
    ...(spec.memPerCoreMb !== undefined ? { mem_per_core_mb: spec.memPerCoreMb } : {}),
    ...(spec.qos ? { qos: spec.qos.name } : {}),
  };
}

/** The scenario's trace, as `impactsim run` reads it (lenient or strict as the scenario says), up to `limit` jobs. */
export async function scenarioJobs(world: ServiceWorld, limit = Infinity): Promise<JobSpec[]> {
  const s = world.scenario;
  const swf = await openSwf(resolveFrom(world.scenarioPath, s.workload.file), { mode: s.workload.mode, label: s.workload.file, log: new AdjustmentLog() });
  const out: JobSpec[] = [];
  for await (const batch of swf.batches(4096)) {
    for (const j of batch) {
      if (out.length >= limit) return out;
      let job = s.workload.exclusive ? { ...j, exclusive: true } : j;
      if (s.workload.cpu_usage === "ignore" && job.cpuUsage !== undefined) {
        const { cpuUsage: _dropped, ...rest } = job;
        job = rest;
      }
      out.push(job);
    }
  }
  return out;
}

export interface ReplayResult {
  readonly starts: Map<number, ReplayStart>;
  readonly ends: Map<number, { t: number; killed: boolean }>;
  readonly requests: number;
}

/**
 * Drives `target` over `jobs` (in submit order) until every job has ended or
 * was never started and nothing is left pending.
 */
export async function replay(target: ReplayTarget, jobs: readonly JobSpec[], platform: PlatformModel): Promise<ReplayResult> {
  const speed = new Map(platform.pools.map((p) => [`${platform.sites[p.site].id}/${p.nodeType}`, p.speed]));
  const starts = new Map<number, ReplayStart>();
  const ends = new Map<number, { t: number; killed: boolean }>();
  const byId = new Map(jobs.map((j) => [j.id, j]));
  /** Pending ends, sorted by time then id. */
  const pending: { t: number; id: number; killed: boolean }[] = [];
  let next = 0;
  let serviceNext = Infinity;
  let requests = 0;
  let queued = 0;
  while (next < jobs.length || pending.length > 0 || queued > 0) {
    const t = Math.min(next < jobs.length ? jobs[next].submit : Infinity, pending.length > 0 ? pending[0].t : Infinity, serviceNext);
    if (t === Infinity) break;
    while (pending.length > 0 && pending[0].t === t) {
      const e = pending.shift()!;
      await target.end(e.id, t, e.killed);
      ends.set(e.id, { t, killed: e.killed });
      requests++;
    }
    while (next < jobs.length && jobs[next].submit === t) {
      await target.submit(jobRequest(jobs[next]), t);
      next++;
      requests++;
    }
    const r = await target.tick(t);
    requests++;
    serviceNext = r.next;
    queued = r.queued;
    for (const s of r.starts) {
      starts.set(s.jobId, s);
      const spec = byId.get(s.jobId)!;
      const runtime = spec.runtime / (speed.get(`${s.site}/${s.nodeType}`) ?? 1);
      const end = { t: s.t + Math.min(runtime, spec.walltime), id: s.jobId, killed: runtime > spec.walltime };
      let i = pending.length;
      while (i > 0 && (pending[i - 1].t > end.t || (pending[i - 1].t === end.t && pending[i - 1].id > end.id))) i--;
      pending.splice(i, 0, end);
    }
  }
  return { starts, ends, requests };
}

/** The service itself as a replay target (no HTTP). */
export function inProcessTarget(s: Service): ReplayTarget {
  let seen = 0;
  return {
    submit: async (job, t) => void (await s.submit(job, t)),
    end: async (id, t, killed) => void (await s.end(id, killed, t)),
    tick: async (t) => {
      await s.tick(t);
      const d = s.decisionsAfter(seen, Infinity);
      if (d.length > 0) seen = d[d.length - 1].seq;
      return { starts: d.filter((x) => x.kind === "start").map((x) => ({ jobId: x.jobId, t: x.t, site: x.site!, nodeType: x.nodeType! })), next: s.nextWake(), queued: s.queuedCount() };
    },
  };
}
