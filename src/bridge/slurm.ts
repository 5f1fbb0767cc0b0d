/**
 * Slurm from the outside, through its commands (Debian's slurm-wlm 22.05):
 * the queue from `squeue --json` (openapi v0.0.38; it ignores -t and -j and
 * lists finished jobs for MinJobAge seconds, so callers filter), finished jobs
 * from the jobcomp/filetxt log (one line per job; sacct needs slurmdbd), and
 * the commands a decision becomes: `scontrol update JobId=N Partition=P`
 * (BeginTime= is refused by this build: StartTime= works), `scontrol release`,
 * `scontrol hold`, `scancel`, `sbatch --parsable`. SLURM_CONF, when given,
 * points every command at one cluster's configuration.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { InputError } from "../core/index.js";

/** A job as squeue --json or the jobcomp log report it. */
export interface SlurmJob {
  readonly id: number;
  /** PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, ... */
  readonly state: string;
  /** Why a pending job waits: JobHeldUser, JobHeldAdmin, Resources, Priority, ... */
  readonly reason: string;
  readonly partition: string;
  readonly cpus: number;
  readonly nodeCount: number;
  /** Requested time, s (time_limit in minutes; Infinity when unlimited). */
  readonly timeLimitS: number;
  /** Epoch seconds; 0 when not yet. */
  readonly submit: number;
  readonly start: number;
  readonly end: number;
  readonly user: string;
  readonly account: string;
  readonly comment: string;
  readonly name: string;
  readonly nodes: string;
}

/** Job states after which a job holds nothing any more. */
export const FINISHED = new Set(["COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"]);
/** Reasons of a held job. */
export const HELD = new Set(["JobHeldUser", "JobHeldAdmin"]);

export interface SlurmCliOptions {
  /** A slurm.conf for every command (SLURM_CONF); default the system's. */
  readonly conf?: string;
  /** The jobcomp/filetxt log (JobCompLoc), read for jobs squeue no longer lists. */
  readonly jobcompLog?: string;
  /** Per-command time limit, ms (default 30 s). */
  readonly timeoutMs?: number;
}

const num = (v: unknown, fallback = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** squeue --json's jobs. @throws InputError when the text is not squeue's JSON */
export function parseSqueue(text: string): SlurmJob[] {
  let doc: { jobs?: unknown };
  try {
    doc = JSON.parse(text) as { jobs?: unknown };
  } catch (err) {
    throw new InputError([{ code: "parse_error", file: "squeue --json", message: `expected JSON, got ${(err as Error).message}` }]);
  }
  if (!Array.isArray(doc.jobs)) throw new InputError([{ code: "missing_field", file: "squeue --json", path: "jobs", message: "expected a jobs array" }]);
  return doc.jobs.map((j: Record<string, unknown>, i: number) => {
    if (typeof j.job_id !== "number") throw new InputError([{ code: "invalid_value", file: "squeue --json", path: `jobs[${i}].job_id`, message: `expected a number, got ${JSON.stringify(j.job_id)}` }]);
    const limit = j.time_limit;
    return {
      id: j.job_id,
      state: str(j.job_state),
      reason: str(j.state_reason),
      partition: str(j.partition),
      cpus: num(j.cpus),
      nodeCount: num(j.node_count, 1),
      // v0.0.38 gives minutes as a number; later versions an object { set, infinite, number }.
      timeLimitS: typeof limit === "number" ? limit * 60 : limit && typeof limit === "object" && (limit as { infinite?: boolean }).infinite ? Infinity : num((limit as { number?: number } | undefined)?.number, Infinity / 60) * 60,
      submit: num(j.submit_time),
      start: num(j.start_time),
      end: num(j.end_time),
      user: str(j.user_name) || String(num(j.user_id)),
      account: str(j.account),
      comment: str(j.comment),
      name: str(j.name),
      nodes: str(j.nodes),
    };
  });
}

/** Slurm's 2026-12-01T14:41:57 (the controller's local time) as epoch seconds. */
function slurmTime(v: string | undefined): number {
  if (!v || v === "Unknown" || v === "None") return 0;
  const t = Date.parse(v) / 1000;
  return Number.isFinite(t) ? t : 0;
}

/** The jobcomp/filetxt log: the last line of each job (a requeued job has several). */
export function parseJobcomp(text: string): Map<number, SlurmJob> {
  const out = new Map<number, SlurmJob>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("JobId=")) continue;
    const f = new Map<string, string>();
    for (const m of line.matchAll(/(\w+)=(\S*)/g)) if (!f.has(m[1])) f.set(m[1], m[2]);
    const id = Number(f.get("JobId"));
    if (!Number.isSafeInteger(id)) continue;
    const limit = f.get("TimeLimit") ?? "";
    const cpus = /(?:^|,)cpu=(\d+)/.exec(f.get("Tres") ?? "")?.[1] ?? f.get("ProcCnt");
    out.set(id, {
      id,
      state: f.get("JobState") ?? "",
      reason: "",
      partition: f.get("Partition") ?? "",
      cpus: Number(cpus ?? 0),
      nodeCount: Number(f.get("NodeCnt") ?? 1),
      timeLimitS: /^\d+$/.test(limit) ? Number(limit) * 60 : Infinity,
      submit: slurmTime(f.get("SubmitTime")),
      start: slurmTime(f.get("StartTime")),
      end: slurmTime(f.get("EndTime")),
      user: (f.get("UserId") ?? "").replace(/\(.*$/, ""),
      account: f.get("Account") ?? "",
      comment: "",
      name: f.get("Name") ?? "",
      nodes: f.get("NodeList") ?? "",
    });
  }
  return out;
}

export class SlurmCli {
  constructor(readonly o: SlurmCliOptions = {}) {}

  /** Runs a Slurm command. @throws Error with its stderr when it fails */
  run(cmd: string, args: readonly string[]): Promise<string> {
    const env = this.o.conf ? { ...process.env, SLURM_CONF: this.o.conf } : process.env;
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { env, timeout: this.o.timeoutMs ?? 30_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
    });
  }

  /** Every job squeue lists (finished ones too, for MinJobAge). */
  async queue(): Promise<SlurmJob[]> {
    return parseSqueue(await this.run("squeue", ["--json"]));
  }

  /** Finished jobs from the jobcomp log (empty when none is configured or written yet). */
  async finished(): Promise<Map<number, SlurmJob>> {
    if (!this.o.jobcompLog) return new Map();
    try {
      return parseJobcomp(await readFile(this.o.jobcompLog, "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
      throw err;
    }
  }

  /** Moves a pending job to a partition (a site) and, optionally, sets its earliest start (epoch s). */
  async place(id: number, partition: string, startEpoch?: number): Promise<void> {
    const args = ["update", `JobId=${id}`, `Partition=${partition}`];
    if (startEpoch !== undefined) args.push(`StartTime=${new Date(startEpoch * 1000).toISOString().slice(0, 19)}`);
    await this.run("scontrol", args);
  }

  async release(id: number): Promise<void> {
    await this.run("scontrol", ["release", String(id)]);
  }

  async hold(id: number): Promise<void> {
    await this.run("scontrol", ["hold", String(id)]);
  }

  /** Sets a job's comment (what the bridge decided, for the user's squeue). */
  async comment(id: number, text: string): Promise<void> {
    await this.run("scontrol", ["update", `JobId=${id}`, `Comment=${text.replace(/\s+/g, "_").slice(0, 200)}`]);
  }

  /** Submits a batch job; returns its id. */
  async sbatch(args: readonly string[]): Promise<number> {
    const out = (await this.run("sbatch", ["--parsable", ...args])).trim();
    const id = Number(out.split(";")[0]);
    if (!Number.isSafeInteger(id)) throw new Error(`sbatch: expected a job id, got ${JSON.stringify(out)}`);
    return id;
  }
}
