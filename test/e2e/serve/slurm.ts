/**
 * A throwaway Slurm on localhost for the bridge's tests (notes: Debian 12's
 * slurm-wlm 22.05): its own munged (key, socket, pid in a temporary folder),
 * slurmctld and slurmd from a slurm.conf there (free ports, one node
 * pretending to have 8 CPUs, a partition per site), stopped by PID, waiting
 * until each daemon is really gone (killed daemons may linger as zombies).
 * SLURM_MISSING says why it cannot start here (not installed, not root): the
 * tests that need it skip and say so; .ci/run installs it.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, chmodSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness.js";

const BINS = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/scontrol"];

export const SLURM_MISSING: string | undefined = process.getuid?.() !== 0 ? "not root: slurmd and munged need root here, so the Slurm bridge's end-to-end test is skipped (.ci/run runs it as root)" : BINS.find((b) => !existsSync(b)) ? `Slurm is not installed (no ${BINS.find((b) => !existsSync(b))}; apt-get install slurm-wlm munge): the Slurm bridge's end-to-end test is skipped; .ci/run installs it` : undefined;

export interface LocalSlurm {
  /** The slurm.conf (SLURM_CONF for every command). */
  readonly conf: string;
  readonly jobcompLog: string;
  readonly dir: string;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function stopPid(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts munged, slurmctld and slurmd with partitions named after `sites`; `jobSubmitLua`: a job_submit.lua script to load (JobSubmitPlugins=lua). */
export async function startSlurm(sites: readonly string[], o: { jobSubmitLua?: string } = {}): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), "impactsim-slurm-"));
  chmodSync(dir, 0o755);
  const d = (p: string) => join(dir, p);
  for (const sub of ["munge", "spool/ctld", "spool/d", "log"]) mkdirSync(d(sub), { recursive: true });
  chmodSync(d("munge"), 0o755);
  writeFileSync(d("munge/key"), randomBytes(1024), { mode: 0o400 });
  const pids = [d("slurmd.pid"), d("slurmctld.pid"), d("munge/pid")];
  const stop = async () => {
    for (const p of pids) await stopPid(p);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync("/usr/sbin/munged", ["-f", `--socket=${d("munge/sock")}`, `--key-file=${d("munge/key")}`, `--log-file=${d("munge/log")}`, `--pid-file=${d("munge/pid")}`, `--seed-file=${d("munge/seed")}`], { stdio: "pipe" });
    const host = hostname().split(".")[0];
    const [ctld, slurmd] = [await freePort(), await freePort()];
    const conf = [
      "ClusterName=impactsim",
      `SlurmctldHost=${host}`,
      `SlurmctldPort=${ctld}`,
      `SlurmdPort=${slurmd}`,
      "SlurmUser=root",
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${d("munge/sock")}`,
      "MpiDefault=none",
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "ReturnToService=2",
      `SlurmctldPidFile=${d("slurmctld.pid")}`,
      `SlurmdPidFile=${d("slurmd.pid")}`,
      `StateSaveLocation=${d("spool/ctld")}`,
      `SlurmdSpoolDir=${d("spool/d")}`,
      `SlurmctldLogFile=${d("log/slurmctld.log")}`,
      `SlurmdLogFile=${d("log/slurmd.log")}`,
      "SchedulerType=sched/backfill",
      // A released job starts within a second or two (the default waits up to 30 s).
      "SchedulerParameters=bf_interval=1,sched_interval=1",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "JobCompType=jobcomp/filetxt",
      `JobCompLoc=${d("log/jobcomp.log")}`,
      "MinJobAge=300",
      "SlurmdParameters=config_overrides",
      ...(o.jobSubmitLua ? ["JobSubmitPlugins=lua"] : []),
      `NodeName=${host} CPUs=8 RealMemory=8000 State=UNKNOWN`,
      ...sites.map((s, i) => `PartitionName=${s} Nodes=${host} ${i === 0 ? "Default=YES " : ""}MaxTime=INFINITE State=UP`),
    ].join("\n");
    writeFileSync(d("slurm.conf"), conf + "\n");
    // The plugin reads job_submit.lua from slurm.conf's folder.
    if (o.jobSubmitLua) copyFileSync(o.jobSubmitLua, d("job_submit.lua"));
    execFileSync("/usr/sbin/slurmctld", ["-f", d("slurm.conf")], { stdio: "pipe" });
    execFileSync("/usr/sbin/slurmd", ["-f", d("slurm.conf")], { stdio: "pipe" });
    // Ready when the node is idle.
    for (let i = 0; ; i++) {
      const out = execFileSync("/usr/bin/sinfo", ["-h", "-o", "%t"], { env: { ...process.env, SLURM_CONF: d("slurm.conf") }, encoding: "utf8" }).trim();
      if (/idle/.test(out)) break;
      if (i > 100) throw new Error(`slurmd did not come up idle (sinfo: ${out}); see ${d("log")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { conf: d("slurm.conf"), jobcompLog: d("log/jobcomp.log"), dir, stop };
}
