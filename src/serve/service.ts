/**
 * The live service's core: a scheduler's mirror (live/FakeScheduler driven
 * from outside), the live World over it, the scenario's policy, the meter and
 * accountant that charge jobs exactly as the simulator does, and the durable
 * ledger. Everything that changes its state is an event, written to the
 * ledger's event log in the same transaction as the charges it causes: a
 * service killed at any point comes back by replaying its log (decisions and
 * all, deterministically), and loses or duplicates no charge.
 *
 * Two clocks. `real`: an event happens when it is received, and the policy
 * runs after each (and at the timers it asked for). `simulated` (replays): the
 * clock moves only when told (a clock event); events carry their time, and the
 * policy runs once per instant after all the events of that instant, as in the
 * simulator.
 */
import { INDICATORS, InputError, N_COORDS, N_PHASES, singleScore, type Issue } from "../core/index.js";
import type { JobSpec, QosSpec } from "../io/index.js";
import { Accountant, type JobCharge } from "../accounting/index.js";
import { decisionPass, type Decision, type QueuedJobView } from "../planner/index.js";
import { canRunOn, platformPoolFigures, poolDeviceClasses, poolView, type PoolView } from "../planner/index.js";
import { FakeScheduler, LiveMeter, LiveWorld, type ReleasedRun } from "../live/index.js";
import { type ChargeInput, type LedgerStore, type Unit } from "../ledger/index.js";
import type { ServiceWorld } from "./world.js";

export type ClockMode = "real" | "simulated";

/**
 * The service's state went past its ledger: an event was applied in memory and
 * its write failed (or applying it failed half-way). Every later request gets
 * this until the service is restarted, which rebuilds the state from the log.
 */
export class ServiceFailedError extends Error {
  constructor(cause: unknown) {
    super(`the service's state no longer matches its ledger (${cause instanceof Error ? cause.message : String(cause)}): restart it to rebuild its state from the ledger's log`, { cause });
  }
}

/** A job as submitted to the service. */
export interface JobRequest {
  readonly id: number;
  readonly project: string;
  readonly user: string;
  readonly cores: number;
  readonly walltime_s: number;
  readonly gpus?: number;
  readonly exclusive?: boolean;
  readonly nodes?: number;
  readonly mem_per_core_mb?: number;
  /** Name of one of the scenario's QoS classes. */
  readonly qos?: string;
  /** Expected share of its cores' time kept busy, (0, ...]; capped at 1 (a trace's recorded usage). */
  readonly cpu_usage?: number;
}

export type ServiceEvent =
  | { readonly kind: "submit"; readonly t: number; readonly job: JobRequest; readonly budget?: BudgetVerdict }
  | { readonly kind: "start"; readonly t: number; readonly id: number }
  | { readonly kind: "end"; readonly t: number; readonly id: number; readonly killed: boolean; readonly energy_j?: number; readonly energy_source?: string }
  | { readonly kind: "clock"; readonly t: number }
  | { readonly kind: "forecast"; readonly t: number; readonly site: string; readonly issued: number; readonly points: readonly { readonly t: number; readonly g_per_kwh: number }[] }
  | { readonly kind: "powerBudget"; readonly t: number; readonly site: string; readonly watts: number | null };

/** What the budget check said when a job was submitted (kept in the log, so a replay decides alike). */
export interface BudgetVerdict {
  readonly verdict: "ok" | "deferred" | "refused";
  readonly left: number;
  readonly unit: Unit;
  /** When deferred: the time it joins the queue. */
  readonly until?: number;
}

export type JobState = "waiting" | "queued" | "deferred" | "running" | "ended" | "rejected" | "refused";

export interface JobStatus {
  readonly id: number;
  readonly project: string;
  readonly user: string;
  state: JobState;
  submitted: number;
  decision?: { kind: Decision["kind"]; at: number; site?: string; node_type?: string; partition?: string; nodes?: number; node_ids?: readonly number[]; until?: number; why?: unknown; reason?: string };
  started?: number;
  reportedStart?: number;
  /** When the cluster reported the job's end (simulated clock: it takes effect, and is charged, when the clock reaches it). */
  reportedEnd?: number;
  ended?: number;
  killed?: boolean;
  charge?: string;
  budget?: BudgetVerdict;
}

/** One applied decision, for bridges that apply them to a real scheduler. */
export interface DecisionRecord {
  readonly seq: number;
  readonly t: number;
  readonly jobId: number;
  readonly kind: Decision["kind"];
  readonly site?: string;
  readonly nodeType?: string;
  readonly nodes?: number;
  readonly until?: number;
  readonly why?: unknown;
}

export interface ServiceOptions {
  readonly world: ServiceWorld;
  readonly ledger: LedgerStore;
  readonly clock: ClockMode;
  /** Name of the cluster in charge keys (`<cluster>/job/<id>`). */
  readonly cluster: string;
  /** Real clock: epoch seconds now (tests pass their own). */
  readonly wallClock?: () => number;
  /** Called after every pass with its duration (ms) and decisions. */
  readonly onPass?: (ms: number, decisions: readonly Decision[]) => void;
  /** Called for every charge written. */
  readonly onCharge?: (c: ChargeInput) => void;
}

const KEEP_DECISIONS = 100_000;

export class Service {
  readonly world: ServiceWorld;
  private readonly sched: FakeScheduler;
  private readonly live: LiveWorld;
  private readonly meter: LiveMeter;
  private readonly accountant: Accountant;
  private readonly jobs = new Map<number, JobStatus>();
  /** Jobs submitted and not yet in the queue or decided on (a pass marks them queued once they arrive). */
  private readonly waiting = new Set<number>();
  private readonly specs = new Map<number, JobSpec>();
  /** The pools with what never changes (sizes, devices): whether a pool can ever hold a job, without a view per request. */
  private readonly fixedPools: readonly PoolView[];
  private readonly earlierRuns = new Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }>();
  private readonly measured = new Map<number, { joules: number; source: string }>();
  private charges: ChargeInput[] = [];
  private decisionLog: DecisionRecord[] = [];
  private decisionSeq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private replaying = false;
  private timer?: NodeJS.Timeout;
  /** The world time the timer is set for. */
  private timerAt = Infinity;
  private closed = false;
  /** Set when an event was applied and not written: the state is past the ledger's log. */
  private failure?: ServiceFailedError;
  private readonly listeners: { pass?: (ms: number, decisions: readonly Decision[]) => void; charge?: (c: ChargeInput) => void }[] = [];
  /** Events handled, and passes run. */
  events = 0;
  passes = 0;

  private constructor(private readonly o: ServiceOptions) {
    this.world = o.world;
    const { platform } = o.world;
    this.fixedPools = platformPoolFigures(platform).map((f) => poolView(f, f.nodes, 0, 0));
    this.sched = new FakeScheduler(platform, [], {
      external: true,
      onStart: (spec, pool, takes, device, whole, pstate) => this.meter.start(spec, pool, takes, device, whole, pstate),
      onRelease: (spec, killed, final, run) => {
        this.meter.release(spec);
        this.accountant.jobEnded(this.fact(spec, killed, final, run));
      },
    });
    this.accountant = new Accountant(platform, (c) => this.charged(c));
    this.meter = new LiveMeter(platform, this.accountant, this.sched, o.world.staticRule);
    this.live = new LiveWorld(this.sched, { platform, forecasts: [...o.world.forecasts], scoreMethod: o.world.method, policy: o.world.policy, describeTime: (t) => new Date((o.world.t0Epoch + t) * 1000).toISOString() });
  }

  /** Opens a service on a ledger, replaying its event log. @throws InputError when the log was written in the other clock mode */
  static async open(o: ServiceOptions): Promise<Service> {
    const s = new Service(o);
    const mode = await o.ledger.getKv("serve.clock");
    if (mode === undefined) await o.ledger.setKv("serve.clock", o.clock);
    else if (mode !== o.clock) throw new InputError([{ code: "invalid_value", file: "--clock", message: `expected the clock this ledger's service log was written with (${mode}), got ${o.clock}`, value: o.clock }]);
    s.replaying = true;
    for (const e of await o.ledger.events()) s.apply(e.body as ServiceEvent);
    s.replaying = false;
    s.charges = [];
    s.armTimer();
    return s;
  }

  get clock(): ClockMode {
    return this.o.clock;
  }

  /** The service's clock, seconds of world time. */
  get now(): number {
    return this.sched.now;
  }

  /** World time of an epoch time, and back. */
  worldTime(epoch: number): number {
    return epoch - this.world.t0Epoch;
  }
  epoch(t: number): number {
    return this.world.t0Epoch + t;
  }

  private wallNow(): number {
    return this.worldTime(this.o.wallClock ? this.o.wallClock() : Date.now() / 1000);
  }

  /** Runs `f` after every earlier call: the service handles one request at a time. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.chain.then(f, f);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Handles one event: checks it, applies it, writes it with the charges it
   * caused in one transaction. `time` is the event's time in a simulated clock (world seconds; default now).
   * @throws InputError when the request cannot apply (unknown job, bad time, ...); nothing changes then
   */
  handle(make: (now: number) => ServiceEvent | Promise<ServiceEvent>): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.serial(async () => {
      if (this.failure) throw this.failure;
      if (this.closed) throw new InputError([{ code: "invalid_value", file: "service", message: "expected a running service, got one shutting down" }]);
      const now = this.o.clock === "real" ? Math.max(this.sched.now, this.wallNow()) : this.sched.now;
      const event = await make(now);
      const result = this.check(event);
      if (result !== undefined) return { event, result };
      let charges: ChargeInput[] = [];
      let applied = false;
      try {
        // Applied inside the transaction: a write that cannot begin (a busy or lost database) leaves memory as it was.
        await this.o.ledger.db.tx(async (db) => {
          applied = true;
          this.apply(event);
          charges = this.charges;
          this.charges = [];
          await this.o.ledger.appendEvent(event.t, event, db);
          for (const c of charges) await this.o.ledger.record(c, db);
        });
      } catch (err) {
        if (applied) this.failure = new ServiceFailedError(err);
        throw err;
      }
      for (const c of charges) {
        this.o.onCharge?.(c);
        for (const l of this.listeners) l.charge?.(c);
      }
      this.armTimer();
      return { event, result: this.describe(event) };
    });
  }

  /** Calls `l.pass` after every live pass and `l.charge` for every charge written (metrics). */
  addListener(l: { pass?: (ms: number, decisions: readonly Decision[]) => void; charge?: (c: ChargeInput) => void }): void {
    this.listeners.push(l);
  }

  /** Submits a job at time t (simulated clock; default now), after the budget check. */
  submit(job: JobRequest, t?: number): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle(async (now) => {
      const at = t ?? now;
      const known = this.jobs.has(job.id);
      const budget = known ? undefined : await this.budgetVerdict(job, at);
      return { kind: "submit", t: at, job, ...(budget ? { budget } : {}) };
    });
  }

  /** Reports a job's end at time t (simulated clock; default now), with its measured IT energy when known. */
  end(id: number, killed: boolean, t?: number, energy?: { joules: number; source: string }): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle((now) => ({ kind: "end", t: t ?? now, id, killed, ...(energy ? { energy_j: energy.joules, energy_source: energy.source } : {}) }));
  }

  /** Reports that a job really started (informational: the service charges from its own decision). */
  started(id: number, t?: number): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle((now) => ({ kind: "start", t: t ?? now, id }));
  }

  /** Moves a simulated clock to t, running every instant up to it. */
  tick(t: number): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle(() => ({ kind: "clock", t }));
  }

  /** Posts a climate-change forecast for a site (points in world seconds, g CO2e/kWh), issued at `issued`. */
  forecast(site: string, issued: number, points: readonly { t: number; g_per_kwh: number }[]): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle((now) => ({ kind: "forecast", t: now, site, issued, points }));
  }

  /** Sets a site's IT power budget (W), or back to the platform's (null). */
  powerBudget(site: string, watts: number | null): Promise<{ event: ServiceEvent; result: unknown }> {
    return this.handle((now) => ({ kind: "powerBudget", t: now, site, watts }));
  }

  /** Jobs running now. */
  runningCount(): number {
    return this.sched.running().length;
  }

  /** Jobs waiting in the queue now. */
  queuedCount(): number {
    return this.sched.queueIndex.queuedCount();
  }

  /** An idempotent repeat's answer (no change), undefined for a new event; throws for an event that cannot apply. */
  private check(e: ServiceEvent): unknown {
    const bad = (path: string, message: string, value?: unknown): never => {
      throw new InputError([{ code: "invalid_value", file: "request", path, message, ...(value !== undefined ? { value: value as Issue["value"] } : {}) }]);
    };
    if (!Number.isFinite(e.t)) bad("time", `expected a finite time, got ${e.t}`);
    if (this.o.clock === "simulated" && e.t < this.sched.now) bad("time", `expected a time at or after the service's clock (${this.describeTime(this.sched.now)}), got ${this.describeTime(e.t)}`, e.t);
    switch (e.kind) {
      case "submit": {
        const had = this.jobs.get(e.job.id);
        if (had) {
          const spec = this.specs.get(e.job.id)!;
          if (had.project !== e.job.project || had.user !== e.job.user || spec.cores !== e.job.cores || spec.walltime !== e.job.walltime_s) bad("job.id", `expected a new job id or the same job again, got job ${e.job.id}, already submitted with other figures`, e.job.id);
          return this.status(e.job.id);
        }
        this.checkJob(e.job);
        return undefined;
      }
      case "start":
      case "end": {
        const had = this.jobs.get(e.id);
        if (!had) bad("id", `expected a job submitted to this service, got ${e.id}`, e.id);
        // An end already reported is a repeat (a request retried after the service restarted), also while it is pending.
        // So is a start already reported, also once the job has ended.
        if (e.kind === "end" && (had!.state === "ended" || had!.reportedEnd !== undefined)) return this.status(e.id);
        if (e.kind === "start" && had!.reportedStart !== undefined) return this.status(e.id);
        if (had!.state !== "running") bad("id", `expected a job the service started, got job ${e.id}, which is ${had!.state}`, e.id);
        if (e.kind === "end" && e.energy_j !== undefined && !(Number.isFinite(e.energy_j) && e.energy_j >= 0)) bad("energy_j", `expected joules >= 0, got ${e.energy_j}`, e.energy_j);
        return undefined;
      }
      case "clock":
        if (this.o.clock !== "simulated") bad("time", "expected a service on a simulated clock (serve --clock simulated), got one on the real clock");
        if (e.t <= this.sched.now && this.sched.nextTime() > e.t) return { now: this.sched.now };
        return undefined;
      case "forecast":
      case "powerBudget":
        if (!this.world.platform.sites.some((s) => s.id === e.site)) bad("site", `expected a site of platform ${this.world.platform.name} (${this.world.platform.sites.map((s) => s.id).join(", ")}), got "${e.site}"`, e.site);
        return undefined;
    }
  }

  /** @throws InputError when no pool can ever run the job, or its QoS class is unknown */
  checkJob(j: JobRequest): void {
    if (j.qos !== undefined && !this.world.qos.has(j.qos)) {
      throw new InputError([{ code: "unknown_reference", file: "request", path: "job.qos", message: `expected a QoS class of the scenario (${[...this.world.qos.keys()].join(", ") || "none defined"}), got "${j.qos}"`, value: j.qos }]);
    }
    const pools = this.fixedPools;
    const q = this.specOf(j, 0);
    const probe = { id: q.id, submit: 0, cores: q.cores, walltime: q.walltime, timeLeft: q.walltime, ranSeconds: 0, user: q.user, project: q.project, ...(q.gpus !== undefined ? { gpus: q.gpus, runtimes: { gpu: q.walltime } } : {}), ...(q.exclusive ? { exclusive: true } : {}), ...(q.exactNodes ? { exactNodes: q.exactNodes } : {}) } as QueuedJobView;
    if (!pools.some((p) => poolDeviceClasses(p).some((d) => canRunOn(probe, p, d)))) {
      const largest = Math.max(...pools.map((p) => p.nodes * p.coresPerNode));
      throw new InputError([{ code: "invalid_value", file: "request", path: "job.cores", message: `expected a job some pool of platform ${this.world.platform.name} can hold (largest ${largest} cores), got ${j.cores} cores${j.gpus ? ` and ${j.gpus} GPUs` : ""}`, value: j.cores }]);
    }
  }

  private specOf(j: JobRequest, t: number): JobSpec {
    const qos: QosSpec | undefined = j.qos !== undefined ? this.world.qos.get(j.qos) : undefined;
    const user = /^-?\d+$/.test(j.user) ? Number(j.user) : -1;
    return {
      id: j.id,
      submit: t,
      runtime: j.walltime_s,
      walltime: j.walltime_s,
      cores: j.cores,
      user,
      group: -1,
      project: j.project,
      queue: -1,
      partition: -1,
      avgCpuTime: -1,
      ...(j.cpu_usage !== undefined ? { cpuUsage: j.cpu_usage } : {}),
      ...(j.gpus !== undefined ? { gpus: j.gpus, runtimes: { gpu: j.walltime_s } } : {}),
      ...(qos ? { qos } : {}),
      ...(j.exclusive ? { exclusive: true } : {}),
      ...(j.nodes !== undefined ? { exactNodes: j.nodes } : {}),
      ...(j.mem_per_core_mb !== undefined ? { memPerCoreMb: j.mem_per_core_mb } : {}),
    };
  }

  /** Applies an event to the in-memory state (also when replaying the log). */
  private apply(e: ServiceEvent): void {
    this.events++;
    switch (e.kind) {
      case "submit": {
        const spec = this.specOf(e.job, e.t);
        this.specs.set(spec.id, spec);
        const st: JobStatus = { id: spec.id, project: e.job.project, user: e.job.user, state: "waiting", submitted: e.t, ...(e.budget ? { budget: e.budget } : {}) };
        this.jobs.set(spec.id, st);
        this.waiting.add(spec.id);
        if (e.budget?.verdict === "refused") {
          st.state = "refused";
          st.decision = { kind: "reject", at: e.t, reason: `over budget: ${e.budget.left} ${e.budget.unit} left, and its QoS class allows no delay` };
          break;
        }
        const at = e.budget?.verdict === "deferred" ? e.budget.until! : e.t;
        if (at > e.t) {
          st.state = "deferred";
          st.decision = { kind: "defer", at: e.t, until: at, reason: `over budget (${e.budget!.left} ${e.budget!.unit} left): held until the cleanest window its QoS class allows` };
        }
        this.sched.submit(spec, at);
        break;
      }
      case "start": {
        const st = this.jobs.get(e.id)!;
        st.reportedStart = e.t;
        break;
      }
      case "end": {
        this.jobs.get(e.id)!.reportedEnd = e.t;
        if (e.energy_j !== undefined) this.measured.set(e.id, { joules: e.energy_j, source: e.energy_source ?? "reported" });
        this.sched.end(e.id, e.killed, Math.max(e.t, this.sched.now));
        break;
      }
      case "clock":
        break;
      case "forecast":
      case "powerBudget":
        this.live.override(e.kind === "forecast" ? { site: e.site, forecast: e.points.map((p) => ({ t: p.t, perJoule: p.g_per_kwh / 1000 / 3.6e6 })) } : { site: e.site, powerBudgetW: e.watts ?? undefined });
        break;
    }
    this.advanceTo(this.o.clock === "real" || e.kind === "clock" ? e.t : -Infinity);
  }

  /** Runs every pending instant up to t, with a pass after each, then moves the clock to t. */
  private advanceTo(t: number): void {
    while (this.sched.nextTime() <= t) {
      this.sched.step();
      this.pass();
    }
    if (t > this.sched.now) this.sched.setNow(t);
  }

  private pass(): void {
    const started = performance.now();
    const { decisions, refusals } = decisionPass(this.live, this.world.policy);
    this.passes++;
    const refused = new Set(refusals.map((r) => r.decision));
    const now = this.sched.now;
    let running: Map<number, { nodeCount: number; nodes: readonly number[] }> | undefined;
    for (const d of decisions) {
      if (refused.has(d)) continue;
      if (d.kind !== "start" && d.kind !== "defer" && d.kind !== "reject") continue;
      const st = this.jobs.get(d.jobId);
      if (!st) continue;
      if (d.kind === "start") {
        const pool = this.world.platform.pools[d.pool];
        const site = this.world.platform.sites[pool.site].id;
        running ??= new Map(this.sched.running().map((x) => [x.id, x]));
        const r = running.get(d.jobId);
        st.state = "running";
        st.started = now;
        // A new run (after a suspension): an end reported for the run before is not this one's.
        delete st.reportedEnd;
        st.decision = { kind: "start", at: now, site, node_type: pool.nodeType, partition: site, nodes: r?.nodeCount, node_ids: r?.nodes, why: d.why };
        this.record({ t: now, jobId: d.jobId, kind: "start", site, nodeType: pool.nodeType, nodes: r?.nodeCount, why: d.why });
      } else if (d.kind === "defer") {
        st.state = "deferred";
        st.decision = { kind: "defer", at: now, until: d.until, why: d.why };
        this.record({ t: now, jobId: d.jobId, kind: "defer", until: d.until, why: d.why });
      } else {
        st.state = "rejected";
        st.decision = { kind: "reject", at: now, reason: d.reason };
        this.record({ t: now, jobId: d.jobId, kind: "reject", why: d.reason });
      }
    }
    // Jobs that arrived and got nothing yet are queued.
    for (const id of this.waiting) {
      const st = this.jobs.get(id)!;
      if (st.state === "waiting" && this.sched.isQueued(id)) st.state = "queued";
      if (st.state !== "waiting") this.waiting.delete(id);
    }
    const ms = performance.now() - started;
    this.o.onPass?.(ms, decisions);
    if (!this.replaying) for (const l of this.listeners) l.pass?.(ms, decisions);
  }

  private record(r: Omit<DecisionRecord, "seq">): void {
    this.decisionLog.push({ seq: ++this.decisionSeq, ...r });
    if (this.decisionLog.length > KEEP_DECISIONS) this.decisionLog = this.decisionLog.slice(-KEEP_DECISIONS / 2);
  }

  /** Decisions after sequence number `after` (bridges poll this). */
  decisionsAfter(after: number, limit = 1000): DecisionRecord[] {
    const i = this.decisionLog.findIndex((d) => d.seq > after);
    return i < 0 ? [] : this.decisionLog.slice(i, i + limit);
  }

  /** What the accountant is told of a run that left its nodes (the simulator's job fact, from the scheduler's mirror). */
  private fact(spec: JobSpec, killed: boolean, final: boolean, run: ReleasedRun): Parameters<Accountant["jobEnded"]>[0] {
    const m = this.world.platform.pools[run.pool];
    const sum = (k: "cores" | "gpus" | "fpgas" | "memMb") => run.takes.reduce((a, t) => a + t[k], 0);
    const allocCores = sum("cores");
    return {
      job: spec,
      pool: run.pool,
      site: m.site,
      nodeCount: run.takes.length,
      nodeShare: run.wholeNodes ? run.takes.length : allocCores / m.coresPerNode,
      allocCores,
      allocGpus: sum("gpus"),
      allocFpgas: sum("fpgas"),
      allocMemMb: sum("memMb"),
      allocation: run.takes,
      exclusive: run.wholeNodes,
      device: run.device,
      utilisation: LiveMeter.utilisation(spec, m.coresPerNode, run.takes.length, run.wholeNodes),
      start: run.start,
      inputsAt: run.start,
      setupEnd: run.start,
      end: this.sched.now,
      killed,
      final,
      firstStart: run.firstStart,
      runSeconds: run.runSeconds,
    };
  }

  /** A finished run's charge: summed over its runs when suspended, measured energy applied, written with the event. */
  private charged(c: JobCharge): void {
    const f = c.fact;
    const id = f.job.id;
    const before = this.earlierRuns.get(id);
    if (!f.final) {
      if (before) {
        for (let i = 0; i < before.impacts.length; i++) before.impacts[i] += c.impacts[i];
        before.itJ += c.itJ;
        before.facilityJ += c.facilityJ;
      } else this.earlierRuns.set(id, { impacts: Float64Array.from(c.impacts), itJ: c.itJ, facilityJ: c.facilityJ });
      return;
    }
    let impacts: Float64Array = Float64Array.from(c.impacts);
    let itJ = c.itJ;
    let facilityJ = c.facilityJ;
    if (before) {
      this.earlierRuns.delete(id);
      for (let i = 0; i < before.impacts.length; i++) before.impacts[i] += c.impacts[i];
      impacts = before.impacts;
      itJ = before.itJ + c.itJ;
      facilityJ = before.facilityJ + c.facilityJ;
    }
    const site = this.world.platform.sites[f.site];
    const pool = this.world.platform.pools[f.pool];
    const measured = this.measured.get(id);
    this.measured.delete(id);
    let basis: ChargeInput["basis"] = "model";
    const provenance: Record<string, unknown> = {
      energy: "model: the platform's power curves at the job's allocation and CPU load (impactsim accountant)",
      impacts: `use phase: facility energy x the grid series of ${site.id}; embodied: allocated resource-seconds x the node type's amortised rates`,
      platform: this.world.platform.name,
      scenario: this.world.scenarioPath,
      policy: `${this.world.policy.name} ${this.world.policy.version}`,
      cpu_load: this.specs.get(id)?.cpuUsage !== undefined ? "as submitted" : "full load (none submitted)",
    };
    if (measured) {
      // Measured IT energy replaces the model's; the use phase scales with it (same intensity profile over the run).
      if (itJ > 0) {
        const k = measured.joules / itJ;
        for (let i = 0; i < N_COORDS; i++) impacts[2 * N_COORDS + i] *= k;
        provenance.energy = `measured: ${measured.source} (${measured.joules} J IT; the model gave ${itJ} J)`;
        itJ = measured.joules;
        facilityJ = measured.joules * site.pue;
        basis = "measured";
      } else provenance.energy_measured_unused = `measured ${measured.joules} J from ${measured.source} not applied: the model gave no IT energy to scale the use phase by`;
    }
    const totals = new Float64Array(N_COORDS);
    for (let ph = 0; ph < N_PHASES; ph++) for (let i = 0; i < N_COORDS; i++) totals[i] += impacts[ph * N_COORDS + i];
    const spec = f.job;
    const charge: ChargeInput = {
      key: `${this.o.cluster}/job/${id}`,
      job: String(id),
      project: spec.project,
      user: this.jobs.get(id)?.user ?? String(spec.user),
      site: site.id,
      nodeType: pool.nodeType,
      start: this.epoch(f.firstStart),
      end: this.epoch(f.end),
      energyItJ: itJ,
      energyFacilityJ: facilityJ,
      impacts: Array.from(impacts),
      singleScorePt: singleScore(totals, this.world.method),
      basis,
      provenance,
      waste: { killed: f.killed, walltime_unused_core_s: Math.max(0, spec.walltime - f.runSeconds) * f.allocCores, idle_reserved_core_s: f.allocCores * f.runSeconds * (1 - f.utilisation) },
    };
    const st = this.jobs.get(id);
    if (st) {
      st.state = "ended";
      st.ended = f.end;
      st.killed = f.killed;
      st.charge = charge.key;
    }
    this.charges.push(charge);
  }

  /**
   * The budget check of a new job: what its project has left in its budget's
   * unit now (grants of the period less charges), and what follows: fine; over
   * budget and allowed to wait (QoS max delay > 0): deferred to the start of the
   * cleanest window within that delay (by the forecasts, over its walltime);
   * over budget and allowed no delay: refused. No grant: no budget, fine.
   */
  async budgetVerdict(j: JobRequest, now: number): Promise<BudgetVerdict | undefined> {
    const b = await this.o.ledger.budgetLeft(j.project, this.epoch(now));
    if (!b) return undefined;
    const { left, unit } = b;
    if (left > 0) return { verdict: "ok", left, unit };
    const qos = j.qos !== undefined ? this.world.qos.get(j.qos) : undefined;
    if (!qos || !(qos.max_delay_s > 0)) return { verdict: "refused", left, unit };
    return { verdict: "deferred", left, unit, until: this.cleanestStart(now, qos.max_delay_s, j.walltime_s) };
  }

  /** The start in [now, now + delay] (hourly steps) of the least forecast climate-change intensity over `duration`, at the cleanest site. */
  private cleanestStart(now: number, delay: number, duration: number): number {
    const view = this.live.view();
    let best = now;
    let least = Infinity;
    for (let t = now; t <= now + delay; t += 3600) {
      for (const s of view.sites) {
        const v = view.forecast(s.id).mean(t, t + duration);
        if (v < least - 1e-30) [least, best] = [v, t];
      }
    }
    return best;
  }

  status(id: number): JobStatus | undefined {
    const st = this.jobs.get(id);
    return st ? { ...st } : undefined;
  }

  private describe(e: ServiceEvent): unknown {
    switch (e.kind) {
      case "submit":
      case "start":
      case "end":
        return this.status(e.kind === "submit" ? e.job.id : e.id);
      default:
        return { now: this.sched.now, next: this.nextWake() };
    }
  }

  /** The next time something is pending (a timer, a deferred job), Infinity when none. */
  nextWake(): number {
    return this.sched.nextTime();
  }

  describeTime(t: number): string {
    return new Date(this.epoch(t) * 1000).toISOString();
  }

  /** Real clock: wakes the policy at its timers. */
  private armTimer(): void {
    if (this.o.clock !== "real" || this.replaying || this.closed) return;
    const next = this.sched.nextTime();
    // Most requests leave the next wake where it was: the timer set for it stays (no timer list churn per request).
    if (this.timer && next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === Infinity) return;
    const ms = Math.max(0, Math.min(2 ** 31 - 1, (next - this.wallNow()) * 1000));
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.handle((now) => ({ kind: "clock", t: now })).catch(() => undefined);
    }, ms);
    this.timer.unref();
  }

  /** A summary of the cluster now: queue, running jobs, pools, sites (power, budget). */
  cluster(): unknown {
    const v = this.live.view();
    return {
      now: this.describeTime(v.now),
      queued: this.queuedCount(),
      running: v.running.length,
      pools: v.pools.map((p) => ({ site: p.site, node_type: p.nodeType, nodes: p.nodes, free: p.freeNodes, sleeping: p.sleepingNodes, waking: p.wakingNodes })),
      sites: v.sites.map((s) => ({ site: s.id, power_w: s.powerW, power_budget_w: Number.isFinite(s.powerBudgetW) ? s.powerBudgetW : null, pue: s.pue })),
    };
  }

  /** The live view now (for estimates). */
  view() {
    return this.live.view();
  }

  /** Why the service refuses every request until restarted, undefined while it is sound. */
  get failed(): ServiceFailedError | undefined {
    return this.failure;
  }

  /** Waits for requests in progress and stops the timers. */
  async close(): Promise<void> {
    await this.serial(async () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
    });
  }
}

export { INDICATORS };
