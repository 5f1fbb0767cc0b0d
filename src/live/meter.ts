/**
 * What the live world charges jobs for: each job's share of its nodes' draw
 * over every interval in which that draw was constant. The nodes' tenants and
 * the split of their draw are kept by models/nodeShares.ts, the very piece the
 * simulator's cluster keeps them in (settled at each change on a node, in the
 * order the changes happen), so, fed to the accountant
 * (accounting/accountant.ts), a live service charges a job exactly what the
 * simulator charges it for the same placements and times.
 *
 * A job's CPU load is what it was submitted with (e.g. a trace's recorded
 * usage, capped at 1), else full load: a scheduler learns the real one only
 * when the job ends.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import { NodeShares, type NodeTenant, type PlatformModel, type StaticRule } from "../models/index.js";
import { cpuLoad, devicesRequested, queuedJobView, type NodeTake } from "../planner/index.js";

/** Where shares go: the accountant's jobShare (same signature). */
export interface ShareSink {
  jobShare(job: JobSpec, site: number, pool: number, from: number, to: number, watts: number, held: { node: number; gpu: number; fpga: number }): void;
}

export class LiveMeter {
  private readonly shares: NodeShares<JobSpec>;
  private readonly byJob = new Map<JobSpec, NodeTenant<JobSpec>[]>();

  constructor(
    private readonly platform: PlatformModel,
    sink: ShareSink,
    private readonly clock: { readonly now: number },
    staticRule: StaticRule = "allocated",
  ) {
    this.shares = new NodeShares<JobSpec>(platform, sink, staticRule);
  }

  /** The CPU load a job runs at on its allocation, as the simulator draws it. */
  static utilisation(spec: JobSpec, coresPerNode: number, nodes: number, wholeNodes: boolean): number {
    return (wholeNodes ? Math.min(1, spec.cores / (nodes * coresPerNode)) : 1) * cpuLoad(queuedJobView(spec, { wallUsed: 0, ranSeconds: 0 }));
  }

  /** A job starts now on `takes` (one per node). */
  start(spec: JobSpec, pool: number, takes: readonly NodeTake[], device: DeviceClass, wholeNodes: boolean, pstate: number | undefined): void {
    const m = this.platform.pools[pool];
    const util = LiveMeter.utilisation(spec, m.coresPerNode, takes.length, wholeNodes);
    const devicesPerNode = wholeNodes ? devicesRequested(queuedJobView(spec, { wallUsed: 0, ranSeconds: 0 }), device) / takes.length : 0;
    const gpu = device === "gpu";
    const fpga = device === "fpga";
    const now = this.clock.now;
    const list: NodeTenant<JobSpec>[] = [];
    for (const take of takes) {
      const node = take.node;
      let t: NodeTenant<JobSpec>;
      if (wholeNodes) {
        const d = Math.min(devicesPerNode, gpu ? (m.gpus?.count ?? 0) : fpga ? (m.fpgas?.count ?? 0) : 0);
        t = { spec, node, exclusive: true, cores: take.cores, gpus: take.gpus, fpgas: take.fpgas, busyCores: util * m.coresPerNode, util, busyGpus: gpu ? d : 0, busyFpgas: fpga ? d : 0, reconfFpgas: 0 };
      } else t = { spec, node, exclusive: false, cores: take.cores, gpus: take.gpus, fpgas: take.fpgas, busyCores: take.cores * util, util: 0, busyGpus: take.gpus, busyFpgas: take.fpgas, reconfFpgas: 0 };
      this.shares.join(t, pstate, now);
      list.push(t);
    }
    this.byJob.set(spec, list);
  }

  /** A job leaves its nodes now (it ended, or was suspended). */
  release(spec: JobSpec): void {
    const list = this.byJob.get(spec);
    if (!list) throw new RangeError(`LiveMeter.release: job ${spec.id} holds no node`);
    this.byJob.delete(spec);
    const now = this.clock.now;
    for (const t of list) this.shares.leave(t, now);
  }
}
