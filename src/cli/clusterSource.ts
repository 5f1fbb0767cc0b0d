/**
 * Estimates on a live cluster: the same estimate() the simulator's probe runs,
 * on the live world's view of a cluster snapshot (live/view.ts). The job is
 * estimated as if submitted at the snapshot's time, after the jobs queued then.
 * Wired here, where the command line meets both the run layer (the estimate's
 * world) and the live one, since live/ never depends on run/.
 */
import { InputError } from "../core/index.js";
import type { ClusterSnapshot } from "../io/index.js";
import type { QueuedJobView } from "../planner/index.js";
import type { ViewSource } from "../run/index.js";
import { liveView } from "../live/index.js";

export function snapshotSource(snap: ClusterSnapshot): ViewSource {
  return {
    mode: "live",
    async see(w, at, spec, notes, probe) {
      const view = liveView(snap, { platform: w.world.platform, forecasts: w.world.forecasts, method: w.world.method, t0Epoch: w.t0Epoch });
      if (Math.abs(view.now - at) > 1e-6) {
        throw new InputError([{ code: "invalid_value", file: "--at", path: "at", message: `expected the snapshot's time (${snap.time}) with --cluster, got a submission ${(at - view.now).toFixed(0)} s from it`, value: at }]);
      }
      notes.push(`live: cluster snapshot ${snap.file} (${snap.source}) at ${snap.time}`);
      const job: QueuedJobView = {
        id: spec.id,
        submit: at,
        cores: spec.cores,
        walltime: spec.walltime,
        timeLeft: spec.walltime,
        ranSeconds: 0,
        user: spec.user,
        project: spec.project,
        runtimes: spec.runtimes,
        gpus: spec.gpus,
        qos: spec.qos,
      };
      return { value: probe(view, job), running: view.running.length, queued: view.queue.length };
    },
  };
}
