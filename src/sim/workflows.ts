/**
 * Workflow state inside the simulated world: which tasks are waiting, ready,
 * running or done, where each file is (a bitmask of sites), which transfers are
 * in flight and which started tasks wait for them. Pure bookkeeping: the
 * simulation (simulation.ts) turns its answers into events.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { WorkflowSpec, WorkflowTask } from "../io/index.js";
import type { LinkModel } from "../models/index.js";

/** A workflow submitted to the world as a unit. */
export interface WorkflowSubmission {
  readonly spec: WorkflowSpec;
  readonly submit: number;
  /** Site index where its initial input files live. */
  readonly site: number;
  readonly project: string;
  /** Runtime models of a task per device class (s on a reference node); default: its recorded runtime on CPUs. */
  readonly runtimes?: (task: WorkflowTask) => Readonly<Partial<Record<DeviceClass, number>>>;
  /** Storage tier (e.g. "tape") holding its initial files at its site; default: the site's disk. */
  readonly initialTier?: string;
  /** FPGA bitstream a task needs, if any. */
  readonly bitstream?: (task: WorkflowTask) => string | undefined;
  /** Job id of task 0; task i has job id firstJobId + i (must not clash with other jobs). */
  readonly firstJobId: number;
}

/** Placeholder for a destination waiting on a staging hop. */
const PENDING = { id: -1 } as Transfer;

export const TaskState = { Waiting: 0, Ready: 1, Running: 2, Done: 3 } as const;

interface FlowState {
  readonly sub: WorkflowSubmission;
  readonly state: Uint8Array;
  readonly parentsLeft: Int32Array;
  /** Bit s set when the file is at site s (on the site's working storage). */
  readonly fileSites: Uint32Array;
  /** Bit s set when a copy sits on a slower storage tier at site s (it must be staged before use). */
  readonly tierSites: Uint32Array;
  /** Per task: time it became ready, start, end, site index (-1 before). */
  readonly readyAt: Float64Array;
  readonly startAt: Float64Array;
  readonly endAt: Float64Array;
  /** Per task: when its run began (after staging and setup). */
  readonly runAt: Float64Array;
  readonly siteOf: Int32Array;
  /** Per task: the parent that finished last (-1 for roots). */
  readonly lastParent: Int32Array;
  /** Runtime models per task. */
  readonly runtimes: readonly Readonly<Partial<Record<DeviceClass, number>>>[];
  done: number;
  /** Bumped on every change of its task states, sites or file locations, so its view is copied again only then. */
  version: number;
  /** Bytes moved between sites, and staged from slower tiers within a site. */
  bytesMoved: number;
  bytesStaged: number;
}

export interface Transfer {
  readonly id: number;
  readonly workflow: number;
  readonly file: number;
  readonly from: number;
  readonly to: number;
  readonly link: number;
  readonly bytes: number;
  readonly start: number;
}

export class WorkflowTracker {
  private readonly flows: FlowState[] = [];
  /** In-flight transfers by key workflow/file/to. */
  private readonly inFlight = new Map<string, Transfer>();
  private readonly byId = new Map<number, Transfer>();
  /** Job ids waiting for a transfer key. */
  private readonly waiters = new Map<string, number[]>();
  /** Destinations to continue to once a file staged from a tier reaches a site's working storage. */
  private readonly forwards = new Map<string, number[]>();
  private nextTransfer = 0;

  constructor(readonly submissions: readonly WorkflowSubmission[], private readonly links: readonly LinkModel[], private readonly sites: number) {
    if (sites > 32) throw new RangeError(`WorkflowTracker: at most 32 sites are supported, got ${sites}`);
    const ids = new Set<number>();
    submissions.forEach((sub, w) => {
      const n = sub.spec.tasks.length;
      for (let i = 0; i < n; i++) {
        const id = sub.firstJobId + i;
        if (ids.has(id)) throw new RangeError(`WorkflowTracker: workflow ${w} task ${i} reuses job id ${id}`);
        ids.add(id);
      }
      this.flows.push({
        sub,
        state: new Uint8Array(n),
        parentsLeft: Int32Array.from(sub.spec.tasks, (t) => t.parents.length),
        fileSites: new Uint32Array(sub.spec.files.length),
        tierSites: new Uint32Array(sub.spec.files.length),
        readyAt: new Float64Array(n).fill(-1),
        startAt: new Float64Array(n).fill(-1),
        endAt: new Float64Array(n).fill(-1),
        runAt: new Float64Array(n).fill(-1),
        siteOf: new Int32Array(n).fill(-1),
        lastParent: new Int32Array(n).fill(-1),
        runtimes: sub.spec.tasks.map((t) => (sub.runtimes ? sub.runtimes(t) : { cpu: t.runtime })),
        done: 0,
        version: 0,
        bytesMoved: 0,
        bytesStaged: 0,
      });
    });
  }

  get count(): number {
    return this.flows.length;
  }

  flow(w: number): FlowState {
    return this.flows[w];
  }

  /** The workflow arrives: its initial files appear at its site; returns its root tasks as jobs. */
  submit(w: number, now: number): JobSpec[] {
    const f = this.flows[w];
    const onTier = f.sub.initialTier !== undefined;
    if (onTier && this.tierLink(f.sub.site) < 0) throw new RangeError(`workflow ${w}: site ${f.sub.site} has no storage tier "${f.sub.initialTier}"`);
    for (const file of f.sub.spec.initialFiles) {
      if (onTier) f.tierSites[file] |= 1 << f.sub.site;
      else f.fileSites[file] |= 1 << f.sub.site;
    }
    f.version++;
    const out: JobSpec[] = [];
    for (const t of f.sub.spec.tasks) if (t.parents.length === 0) out.push(this.ready(w, t.index, now));
    return out;
  }

  private ready(w: number, task: number, now: number): JobSpec {
    const f = this.flows[w];
    const t = f.sub.spec.tasks[task];
    f.state[task] = TaskState.Ready;
    f.version++;
    f.readyAt[task] = now;
    return {
      id: f.sub.firstJobId + task,
      submit: now,
      runtime: t.runtime,
      walltime: Infinity,
      cores: t.cores,
      user: -1,
      group: -1,
      project: f.sub.project,
      queue: -1,
      partition: -1,
      avgCpuTime: -1,
      runtimes: f.runtimes[task],
      bitstream: f.sub.bitstream?.(t),
      workflow: w,
      task,
    };
  }

  /** Input files of a task that are not at `site`. */
  missingInputs(w: number, task: number, site: number): number[] {
    const f = this.flows[w];
    return f.sub.spec.tasks[task].inputs.filter((file) => (f.fileSites[file] & (1 << site)) === 0);
  }

  /** Index of site s's staging link from its slower tier (a link from s to s), or -1. */
  private tierLink(s: number): number {
    return this.links.findIndex((l) => l.from === s && l.to === s);
  }

  /**
   * The first hop to bring a file to `to`: a link from a site holding it on
   * working storage (the fastest; ties: lowest site), else the staging link of
   * `to` when a tier copy is there, else the staging link of a site that has a
   * tier copy and a link to `to`. -1 when there is no way.
   */
  route(w: number, file: number, to: number): number {
    const f = this.flows[w];
    const mask = f.fileSites[file];
    let best = -1;
    for (let l = 0; l < this.links.length; l++) {
      const link = this.links[l];
      if (link.to !== to || link.from === to || (mask & (1 << link.from)) === 0) continue;
      if (best < 0 || link.bandwidth > this.links[best].bandwidth || (link.bandwidth === this.links[best].bandwidth && link.from < this.links[best].from)) best = l;
    }
    if (best >= 0) return best;
    const tiers = f.tierSites[file];
    if (tiers & (1 << to)) return this.tierLink(to);
    for (let s = 0; s < this.sites; s++) {
      if ((tiers & (1 << s)) === 0) continue;
      if (this.links.some((l) => l.from === s && l.to === to)) return this.tierLink(s);
    }
    return -1;
  }

  /** True when the file exists somewhere (produced or initial, on any tier). */
  exists(w: number, file: number): boolean {
    return this.flows[w].fileSites[file] !== 0 || this.flows[w].tierSites[file] !== 0;
  }

  /**
   * Brings `file` to site `to` for job `waiter` (or a prefetch with waiter -1):
   * returns the transfers to start now (none when one is already in flight: the
   * waiter is attached to it). A file only on a slower tier elsewhere is first
   * staged there, then sent on.
   */
  requestTransfer(w: number, file: number, to: number, waiter: number, now: number): Transfer[] {
    const key = `${w}/${file}/${to}`;
    if (waiter >= 0) {
      const list = this.waiters.get(key);
      if (list) list.push(waiter);
      else this.waiters.set(key, [waiter]);
    }
    if (this.inFlight.has(key)) return [];
    const link = this.route(w, file, to);
    if (link < 0) throw new RangeError(`no link brings file ${file} of workflow ${w} to site ${to}`);
    const hop = this.links[link];
    if (hop.from === hop.to && hop.to !== to) {
      // Stage at the tier's site first; this key stays in flight until then.
      this.inFlight.set(key, PENDING);
      const staged = `${w}/${file}/${hop.to}`;
      const list = this.forwards.get(staged);
      if (list) list.push(to);
      else this.forwards.set(staged, [to]);
      return this.requestTransfer(w, file, hop.to, -1, now);
    }
    const t: Transfer = { id: this.nextTransfer++, workflow: w, file, from: hop.from, to, link, bytes: this.flows[w].sub.spec.files[file].bytes, start: now };
    this.inFlight.set(key, t);
    this.byId.set(t.id, t);
    return [t];
  }

  /** A transfer arrived: the file is now at its destination. Returns it and the job ids that waited for it. */
  transferDone(id: number, now: number): { transfer: Transfer; waiters: number[]; next: Transfer[] } {
    const t = this.byId.get(id)!;
    this.byId.delete(id);
    const key = `${t.workflow}/${t.file}/${t.to}`;
    this.inFlight.delete(key);
    const f = this.flows[t.workflow];
    f.fileSites[t.file] |= 1 << t.to;
    f.version++;
    if (t.from === t.to) f.bytesStaged += t.bytes;
    else f.bytesMoved += t.bytes;
    const waiters = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    const next: Transfer[] = [];
    for (const dest of this.forwards.get(key) ?? []) {
      this.inFlight.delete(`${t.workflow}/${t.file}/${dest}`);
      next.push(...this.requestTransfer(t.workflow, t.file, dest, -1, now));
    }
    this.forwards.delete(key);
    return { transfer: t, waiters, next };
  }

  started(w: number, task: number, site: number, now: number): void {
    const f = this.flows[w];
    f.version++;
    f.state[task] = TaskState.Running;
    f.startAt[task] = now;
    f.siteOf[task] = site;
  }

  /** A started task's run begins at `t` (its inputs are in and its setup done). */
  running(w: number, task: number, t: number): void {
    this.flows[w].runAt[task] = t;
  }

  /** A task ended at `site`: its outputs appear there; returns children that became ready, and whether the workflow is done. */
  ended(w: number, task: number, site: number, now: number): { ready: JobSpec[]; workflowDone: boolean } {
    const f = this.flows[w];
    const t = f.sub.spec.tasks[task];
    f.state[task] = TaskState.Done;
    f.version++;
    f.endAt[task] = now;
    for (const file of t.outputs) f.fileSites[file] |= 1 << site;
    const ready: JobSpec[] = [];
    for (const c of t.children) {
      f.lastParent[c] = task;
      if (--f.parentsLeft[c] === 0) ready.push(this.ready(w, c, now));
    }
    f.done++;
    return { ready, workflowDone: f.done === f.sub.spec.tasks.length };
  }

  /** Chain of tasks that determined the end: from the last task to end, back through the parent that finished last. */
  actualCriticalPath(w: number): number[] {
    const f = this.flows[w];
    let last = 0;
    for (let i = 1; i < f.endAt.length; i++) if (f.endAt[i] > f.endAt[last]) last = i;
    const chain: number[] = [];
    for (let t = last; t >= 0; t = f.lastParent[t]) chain.push(t);
    return chain.reverse();
  }
}
