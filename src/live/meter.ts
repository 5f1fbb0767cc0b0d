/**
 * What the live world charges jobs for: each job's share of its nodes' draw
 * over every interval in which that draw was constant, reported as the
 * simulator's cluster reports it (sim/cluster.ts: settled at each change on a
 * node, in the order the changes happen, with the same split among the jobs
 * sharing a node: models/nodePower.ts shareDraw, or the whole node for a job
 * holding it whole). Fed to the accountant (accounting/accountant.ts), a live
 * service charges a job exactly what the simulator charges it for the same
 * placements and times.
 *
 * A job's CPU load is what it was submitted with (e.g. a trace's recorded
 * usage, capped at 1), else full load: a scheduler learns the real one only
 * when the job ends.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import { nodeDraw, shareDraw, type PlatformModel, type StaticRule } from "../models/index.js";
import { cpuLoad, devicesRequested, platformPoolFigures, queuedJobView, type NodeTake } from "../planner/index.js";

/** Where shares go: the accountant's jobShare (same signature). */
export interface ShareSink {
  jobShare(job: JobSpec, site: number, pool: number, from: number, to: number, watts: number, held: { node: number; gpu: number; fpga: number }): void;
}

interface MeterTenant {
  readonly spec: JobSpec;
  readonly node: number;
  readonly exclusive: boolean;
  readonly cores: number;
  readonly gpus: number;
  readonly fpgas: number;
  busyCores: number;
  util: number;
  busyGpus: number;
  busyFpgas: number;
  readonly reconfFpgas: number;
}

export class LiveMeter {
  private readonly nodePool: Int32Array;
  private readonly tenants: MeterTenant[][];
  private readonly allocCores: Int32Array;
  private readonly busyCores: Float64Array;
  private readonly busyGpus: Float64Array;
  private readonly busyFpgas: Float64Array;
  private readonly exclusive: Uint8Array;
  private readonly pstate: Int8Array;
  private readonly settled: Float64Array;
  private readonly byJob = new Map<JobSpec, MeterTenant[]>();
  private readonly parts = { node: 0, gpu: 0, fpga: 0 };

  constructor(
    private readonly platform: PlatformModel,
    private readonly sink: ShareSink,
    private readonly clock: { readonly now: number },
    private readonly staticRule: StaticRule = "allocated",
  ) {
    const n = platform.pools.reduce((a, p) => a + p.count, 0);
    this.nodePool = new Int32Array(n);
    for (const f of platformPoolFigures(platform)) for (let k = 0; k < f.nodes; k++) this.nodePool[f.firstNode + k] = f.index;
    this.tenants = Array.from({ length: n }, () => []);
    this.allocCores = new Int32Array(n);
    this.busyCores = new Float64Array(n);
    this.busyGpus = new Float64Array(n);
    this.busyFpgas = new Float64Array(n);
    this.exclusive = new Uint8Array(n);
    this.pstate = new Int8Array(n).fill(-1);
    this.settled = new Float64Array(n);
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
    const list: MeterTenant[] = [];
    for (const take of takes) {
      const node = take.node;
      this.settle(node);
      let t: MeterTenant;
      if (wholeNodes) {
        const d = Math.min(devicesPerNode, gpu ? (m.gpus?.count ?? 0) : fpga ? (m.fpgas?.count ?? 0) : 0);
        t = { spec, node, exclusive: true, cores: take.cores, gpus: take.gpus, fpgas: take.fpgas, busyCores: util * m.coresPerNode, util, busyGpus: gpu ? d : 0, busyFpgas: fpga ? d : 0, reconfFpgas: 0 };
      } else t = { spec, node, exclusive: false, cores: take.cores, gpus: take.gpus, fpgas: take.fpgas, busyCores: take.cores * util, util: 0, busyGpus: take.gpus, busyFpgas: take.fpgas, reconfFpgas: 0 };
      this.tenants[node].push(t);
      this.allocCores[node] += t.cores;
      this.sumBusy(node);
      if (t.exclusive) this.exclusive[node] = 1;
      if (pstate !== undefined) this.pstate[node] = pstate;
      list.push(t);
    }
    this.byJob.set(spec, list);
  }

  /** A job leaves its nodes now (it ended, or was suspended). */
  release(spec: JobSpec): void {
    const list = this.byJob.get(spec);
    if (!list) throw new RangeError(`LiveMeter.release: job ${spec.id} holds no node`);
    this.byJob.delete(spec);
    for (const t of list) {
      const node = t.node;
      this.settle(node);
      const on = this.tenants[node];
      on.splice(on.indexOf(t), 1);
      this.allocCores[node] -= t.cores;
      this.sumBusy(node);
      if (t.exclusive) this.exclusive[node] = 0;
      if (on.length === 0) this.pstate[node] = -1;
    }
  }

  /** A node's busy totals, summed afresh from its tenants (as the simulator's cluster does). */
  private sumBusy(node: number): void {
    let cores = 0;
    let gpus = 0;
    let fpgas = 0;
    for (const t of this.tenants[node]) {
      cores += t.busyCores;
      gpus += t.busyGpus;
      fpgas += t.busyFpgas;
    }
    this.busyCores[node] = cores;
    this.busyGpus[node] = gpus;
    this.busyFpgas[node] = fpgas;
  }

  /** Reports each tenant's share of the node's draw since its last settlement, up to now. */
  private settle(node: number): void {
    const now = this.clock.now;
    const from = this.settled[node];
    this.settled[node] = now;
    const list = this.tenants[node];
    if (!(now > from) || list.length === 0) return;
    const p = this.nodePool[node];
    const m = this.platform.pools[p];
    const parts = this.parts;
    for (const t of list) {
      parts.node = t.cores / m.coresPerNode;
      parts.gpu = m.gpus ? t.gpus / m.gpus.count : 0;
      parts.fpga = m.fpgas ? t.fpgas / m.fpgas.count : 0;
      const watts = t.exclusive
        ? nodeDraw(m, list[0].util, this.busyGpus[node], this.busyFpgas[node], 0, this.pstate[node])
        : shareDraw(m, this.pstate[node], this.busyCores[node], this.allocCores[node], t, this.staticRule);
      this.sink.jobShare(t.spec, m.site, p, from, now, watts, parts);
    }
  }
}
