/**
 * Reading Slurm's outputs (bridge/slurm.ts), against lines copied from Debian
 * 12's slurm-wlm 22.05.8 on this machine: squeue --json (openapi v0.0.38,
 * trimmed to the fields read) and the jobcomp/filetxt log.
 */
import { describe, expect, it } from "vitest";
import { parseJobcomp, parseSqueue, projectOf } from "../../../src/bridge/index.js";
import { InputError } from "../../../src/core/index.js";

const SQUEUE = JSON.stringify({
  meta: { plugin: { type: "openapi/v0.0.38" } },
  errors: [],
  jobs: [
    { account: "", comment: "project=p1", cpus: 2, end_time: 0, job_id: 1, job_state: "PENDING", node_count: 1, partition: "fr", start_time: 0, state_reason: "JobHeldUser", submit_time: 1796136115, time_limit: 1, user_id: 0, user_name: "root", name: "t1", nodes: "" },
    { account: "chem", comment: "impactsim:project=p-2", cpus: 8, end_time: 1796136119, job_id: 2, job_state: "COMPLETED", node_count: 1, partition: "de", start_time: 1796136117, state_reason: "None", submit_time: 1796136115, time_limit: 90, user_id: 1000, user_name: "", name: "t2", nodes: "vm" },
  ],
});

const JOBCOMP =
  "JobId=1 UserId=root(0) GroupId=root(0) Name=t1 JobState=COMPLETED Partition=de TimeLimit=1 StartTime=2026-12-01T14:41:57 EndTime=2026-12-01T14:41:59 NodeList=vm NodeCnt=1 ProcCnt=2 WorkDir=/tmp/h14s ReservationName= Tres=cpu=2,mem=8000M,node=1,billing=2 Account= QOS= WcKey= Cluster=unknown SubmitTime=2026-12-01T14:41:55 EligibleTime=2026-12-01T14:41:57 DerivedExitCode=0:0 ExitCode=0:0 \n" +
  "JobId=3 UserId=alice(1000) GroupId=alice(1000) Name=long JobState=TIMEOUT Partition=fr TimeLimit=UNLIMITED StartTime=2026-12-01T14:42:00 EndTime=2026-12-01T14:43:00 NodeList=vm NodeCnt=1 ProcCnt=4 WorkDir=/ ReservationName= Tres=cpu=4,mem=8000M,node=1 Account=chem QOS= WcKey= Cluster=unknown SubmitTime=2026-12-01T14:41:00 EligibleTime=2026-12-01T14:41:00 DerivedExitCode=0:0 ExitCode=0:1 \n";

describe("Slurm's outputs", () => {
  it("parseSqueue() reads state, reason, partition, CPUs, time limit in s, times and user (the uid when no name)", () => {
    const [a, b] = parseSqueue(SQUEUE);
    expect(a).toMatchObject({ id: 1, state: "PENDING", reason: "JobHeldUser", partition: "fr", cpus: 2, timeLimitS: 60, submit: 1796136115, start: 0, user: "root" });
    expect(b).toMatchObject({ id: 2, state: "COMPLETED", partition: "de", cpus: 8, timeLimitS: 5400, start: 1796136117, end: 1796136119, user: "1000", account: "chem" });
    expect(projectOf(a)).toBeUndefined();
    expect(projectOf(b)).toBe("p-2");
  });

  it("parseSqueue() refuses what is not squeue's JSON, naming the field", () => {
    expect(() => parseSqueue("squeue: error: ...")).toThrow(InputError);
    expect(() => parseSqueue(JSON.stringify({ jobs: [{ job_id: "7" }] }))).toThrow(/jobs\[0\]\.job_id: expected a number, got "7"/);
  });

  it("parseJobcomp() reads each job's last line: state, partition, CPUs from Tres, times (local), unlimited time", () => {
    const m = parseJobcomp(JOBCOMP);
    expect(m.get(1)).toMatchObject({ state: "COMPLETED", partition: "de", cpus: 2, timeLimitS: 60, user: "root", start: Date.parse("2026-12-01T14:41:57") / 1000, end: Date.parse("2026-12-01T14:41:59") / 1000 });
    expect(m.get(3)).toMatchObject({ state: "TIMEOUT", cpus: 4, timeLimitS: Infinity, user: "alice", account: "chem" });
    expect(m.size).toBe(2);
  });
});
