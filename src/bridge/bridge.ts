/**
 * The bridge between a real Slurm and `impactsim serve` (a daemon, or one
 * step() at a time in tests). Jobs are submitted held (`sbatch -H`, or held by
 * the job_submit.lua script): the bridge sends each held job it has not seen to
 * the service (POST /v1/jobs: cores, requested time, project), reads the
 * service's decisions (GET /v1/decisions), and applies each start: the job
 * moves to the partition standing for the chosen site (`scontrol update
 * Partition=`) and is released. Deferred jobs stay held until the service
 * starts them; refused or rejected ones stay held with the reason in their
 * comment (nothing is cancelled: that is left to people). When a placed job
 * finishes (squeue's finished states, or the jobcomp log once squeue forgot
 * it) the bridge reports its end (killed when TIMEOUT), and the service
 * charges the ledger: by the model over the service's placement, since this
 * Slurm measures no energy (no acct_gather_energy plugin: sacct's
 * ConsumedEnergy would be 0); a site that measures passes energy_j.
 *
 * The service runs on the real clock and keeps its own mirror of the cluster
 * from what the bridge tells it; jobs that were not held are not the
 * bridge's and are left alone (counted).
 */
import type { ServiceRequest } from "../serve/index.js";
import { FINISHED, HELD, type SlurmCli, type SlurmJob } from "./slurm.js";

export interface BridgeOptions {
  readonly slurm: SlurmCli;
  /** Requests to the service, with the admin token (serve/serviceClient). */
  readonly service: ServiceRequest;
  /** The project of a job: `impactsim:project=NAME` in its comment, else its account, else this (default "default"). */
  readonly defaultProject?: string;
  /** The partition standing for each site (default: the site's id). */
  readonly partitionOf?: (site: string) => string;
  /** Called with each thing the bridge did, for logs. */
  readonly log?: (event: BridgeEvent) => void;
}

export type BridgeEvent =
  | { readonly kind: "submitted"; readonly id: number; readonly project: string; readonly state: string }
  | { readonly kind: "placed"; readonly id: number; readonly site: string; readonly partition: string }
  | { readonly kind: "held"; readonly id: number; readonly why: string }
  | { readonly kind: "started"; readonly id: number }
  | { readonly kind: "ended"; readonly id: number; readonly state: string; readonly charge?: string }
  | { readonly kind: "error"; readonly id: number; readonly message: string };

type Phase = "submitted" | "placed" | "started" | "ended" | "refused";

interface Tracked {
  phase: Phase;
  site?: string;
}

/** The project named in a job's comment (impactsim:project=NAME), or undefined. */
export function projectOf(j: SlurmJob): string | undefined {
  return /(?:^|[\s,;])impactsim:project=([A-Za-z0-9_.@:+-]{1,128})/.exec(j.comment)?.[1];
}

export class SlurmBridge {
  private readonly jobs = new Map<number, Tracked>();
  private seen = 0;
  /** Jobs seen that were not held when first seen, left to Slurm. */
  readonly unmanaged = new Set<number>();

  constructor(private readonly o: BridgeOptions) {}

  /** What the bridge knows of a job, or undefined. */
  phase(id: number): Phase | undefined {
    return this.jobs.get(id)?.phase;
  }

  /** One round: new held jobs to the service, decisions applied, starts and ends reported. */
  async step(): Promise<void> {
    const queue = await this.o.slurm.queue();
    const listed = new Set<number>();
    for (const j of queue) {
      listed.add(j.id);
      const t = this.jobs.get(j.id);
      if (!t) {
        if (j.state === "PENDING" && HELD.has(j.reason)) await this.submit(j);
        else if (!this.unmanaged.has(j.id)) this.unmanaged.add(j.id);
        continue;
      }
      if (t.phase === "placed" && (j.state === "RUNNING" || FINISHED.has(j.state))) await this.started(j, t);
      if (t.phase === "started" && FINISHED.has(j.state)) await this.ended(j, t);
    }
    await this.applyDecisions();
    // Placed jobs squeue no longer lists: the jobcomp log says how they ended.
    const gone = [...this.jobs].filter(([id, t]) => (t.phase === "placed" || t.phase === "started") && !listed.has(id));
    if (gone.length > 0) {
      const done = await this.o.slurm.finished();
      for (const [id, t] of gone) {
        const j = done.get(id);
        if (!j) continue;
        if (t.phase === "placed") await this.started(j, t);
        await this.ended(j, t);
      }
    }
  }

  private async submit(j: SlurmJob): Promise<void> {
    const project = projectOf(j) ?? (j.account || this.o.defaultProject || "default");
    const body = { id: j.id, project, user: j.user || "unknown", cores: Math.max(1, j.cpus), walltime_s: Number.isFinite(j.timeLimitS) ? j.timeLimitS : 365 * 86400, ...(j.nodeCount > 1 ? { nodes: j.nodeCount } : {}) };
    try {
      const st = (await this.o.service("POST", "/v1/jobs", body)) as { state: string; decision?: { reason?: string } };
      this.jobs.set(j.id, { phase: st.state === "refused" || st.state === "rejected" ? "refused" : "submitted" });
      this.o.log?.({ kind: "submitted", id: j.id, project, state: st.state });
      if (st.state === "refused") await this.keepHeld(j.id, `refused: ${st.decision?.reason ?? "over budget"}`);
    } catch (err) {
      // The service refused the request itself (e.g. no pool can hold it): the job stays held, with the reason.
      this.jobs.set(j.id, { phase: "refused" });
      await this.keepHeld(j.id, (err as Error).message);
    }
  }

  private async keepHeld(id: number, why: string): Promise<void> {
    this.o.log?.({ kind: "held", id, why });
    await this.o.slurm.comment(id, `impactsim: ${why}`).catch((err: Error) => this.o.log?.({ kind: "error", id, message: err.message }));
  }

  private async applyDecisions(): Promise<void> {
    for (;;) {
      const r = (await this.o.service("GET", `/v1/decisions?after=${this.seen}&limit=1000`)) as { decisions: { seq: number; jobId: number; kind: string; site?: string; why?: unknown }[] };
      for (const d of r.decisions) {
        this.seen = d.seq;
        const t = this.jobs.get(d.jobId);
        if (!t || t.phase !== "submitted") continue;
        if (d.kind === "start" && d.site) {
          const partition = this.o.partitionOf ? this.o.partitionOf(d.site) : d.site;
          try {
            await this.o.slurm.place(d.jobId, partition);
            await this.o.slurm.release(d.jobId);
            t.phase = "placed";
            t.site = d.site;
            this.o.log?.({ kind: "placed", id: d.jobId, site: d.site, partition });
          } catch (err) {
            this.o.log?.({ kind: "error", id: d.jobId, message: (err as Error).message });
          }
        } else if (d.kind === "reject") {
          t.phase = "refused";
          await this.keepHeld(d.jobId, `rejected: ${typeof d.why === "string" ? d.why : "by the policy"}`);
        }
      }
      if (r.decisions.length < 1000) return;
    }
  }

  private async started(j: SlurmJob, t: Tracked): Promise<void> {
    await this.o.service("POST", `/v1/jobs/${j.id}/start`, {});
    t.phase = "started";
    this.o.log?.({ kind: "started", id: j.id });
  }

  private async ended(j: SlurmJob, t: Tracked): Promise<void> {
    const r = (await this.o.service("POST", `/v1/jobs/${j.id}/end`, { killed: j.state === "TIMEOUT" })) as { charge?: string };
    t.phase = "ended";
    this.o.log?.({ kind: "ended", id: j.id, state: j.state, ...(r.charge ? { charge: r.charge } : {}) });
  }
}
