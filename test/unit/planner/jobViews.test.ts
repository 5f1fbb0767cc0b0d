/**
 * Job views are plain frozen data with only the fields a job has, in a fixed
 * order (they are made by constructors for speed: this pins that they stay
 * plain objects). The expected keys and values are written out by hand.
 */
import { describe, expect, it } from "vitest";
import type { JobSpec } from "../../../src/io/spec.js";
import { queuedJobView, runningJobView, type RunInfo } from "../../../src/planner/index.js";

const plain: JobSpec = { id: 7, submit: 100, runtime: 50, walltime: 80, cores: 4, user: 3, group: 2, project: "g2", queue: -1, partition: -1, avgCpuTime: 25, cpuUsage: 0.5 };
const rich: JobSpec = { ...plain, id: 8, runtimes: { cpu: 40, gpu: 10 }, gpus: 2, qos: { name: "q", priority: 1, preemptible: true }, exclusive: true, memPerCoreMb: 512 } as JobSpec;

const run: RunInfo = {
  pool: 1,
  device: "cpu",
  nodes: [3, 4],
  allocation: [
    { node: 3, cores: 2, gpus: 0, fpgas: 0, memMb: 1024 },
    { node: 4, cores: 2, gpus: 0, fpgas: 0, memMb: 1024 },
  ],
  holdsWholeNodes: false,
  start: 200,
  firstStart: 150,
  setupEnd: 205,
  awaitingInputs: false,
  predictedEnd: 280.5,
};

describe("job views", () => {
  it("a queued view is a frozen plain object with its fields in order, the needs only where the job has them", () => {
    const v = queuedJobView(plain, { wallUsed: 30, ranSeconds: 20, deferredUntil: 400 });
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.keys(v)).toEqual(["id", "submit", "cores", "walltime", "timeLeft", "ranSeconds", "user", "project", "cpuUsage", "deferredUntil"]);
    expect(v).toStrictEqual({ id: 7, submit: 100, cores: 4, walltime: 80, timeLeft: 50, ranSeconds: 20, user: 3, project: "g2", cpuUsage: 0.5, deferredUntil: 400 });
    const r = queuedJobView(rich, { wallUsed: 0, ranSeconds: 0, runtimes: { cpu: 40, gpu: 10 } });
    expect(Object.keys(r)).toEqual(["id", "submit", "cores", "walltime", "timeLeft", "ranSeconds", "user", "project", "runtimes", "gpus", "qos", "exclusive", "memPerCoreMb", "cpuUsage"]);
    expect(JSON.stringify(r)).toBe('{"id":8,"submit":100,"cores":4,"walltime":80,"timeLeft":80,"ranSeconds":0,"user":3,"project":"g2","runtimes":{"cpu":40,"gpu":10},"gpus":2,"qos":{"name":"q","priority":1,"preemptible":true},"exclusive":true,"memPerCoreMb":512,"cpuUsage":0.5}');
  });

  it("a running view is a frozen plain object with its fields in order, its cores counted over its allocation", () => {
    const v = runningJobView(plain, { wallUsed: 0, ranSeconds: 12 }, run);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.isFrozen(v)).toBe(true);
    expect(v).toStrictEqual({
      id: 7,
      submit: 100,
      cores: 4,
      walltime: 80,
      user: 3,
      project: "g2",
      cpuUsage: 0.5,
      pool: 1,
      device: "cpu",
      nodeCount: 2,
      nodes: [3, 4],
      allocCores: 4,
      allocation: [
        { node: 3, cores: 2, gpus: 0, fpgas: 0, memMb: 1024 },
        { node: 4, cores: 2, gpus: 0, fpgas: 0, memMb: 1024 },
      ],
      holdsWholeNodes: false,
      start: 200,
      firstStart: 150,
      ranSeconds: 12,
      setupEnd: 205,
      awaitingInputs: false,
      predictedEnd: 280.5,
    });
    expect(Object.keys(v).join(",")).toBe("id,submit,cores,walltime,user,project,cpuUsage,pool,device,nodeCount,nodes,allocCores,allocation,holdsWholeNodes,start,firstStart,ranSeconds,setupEnd,awaitingInputs,predictedEnd");
    // Lists not frozen by the world are copied, frozen, so they cannot change under the view.
    expect(v.nodes).not.toBe(run.nodes);
    expect(Object.isFrozen(v.nodes) && Object.isFrozen(v.allocation) && Object.isFrozen(v.allocation[0])).toBe(true);
    const r = runningJobView(rich, { wallUsed: 0, ranSeconds: 0, lastSuspendedAt: 190 }, { ...run, pstate: 1 });
    expect(Object.keys(r).join(",")).toBe(
      "id,submit,cores,walltime,user,project,runtimes,gpus,qos,exclusive,memPerCoreMb,cpuUsage,pool,device,pstate,nodeCount,nodes,allocCores,allocation,holdsWholeNodes,start,firstStart,ranSeconds,setupEnd,awaitingInputs,predictedEnd,lastSuspendedAt",
    );
    expect(r.pstate).toBe(1);
    expect(r.lastSuspendedAt).toBe(190);
  });
});
