/**
 * What the consolidate tests share: the power-state figures their schedules
 * are worked out by hand with (OFF on the platform, FIG as the policy's
 * parameters: the same numbers; break-even idle time 3250 / 90 s), and
 * readers of a run's starts, nodes and decisions.
 */
import type { PowerStateModel } from "../../src/models/platform.js";
import type { JobSpec } from "../../src/io/spec.js";
import type { Decision } from "../../src/planner/view.js";
import type { TinyRun } from "./runTiny.js";
import type { Call } from "./recording.js";

/** A pool's off state: 10 W off, 5 s at 100 W to switch off, 20 s at 150 W to switch on (figures chosen for hand-worked cases). */
export const OFF: PowerStateModel = { watts: 10, switchOffSeconds: 5, switchOffWatts: 100, switchOnSeconds: 20, switchOnWatts: 150 };
/** The same figures as consolidate's parameters. */
export const FIG = { off_w: 10, switch_off_s: 5, switch_off_w: 100, switch_on_s: 20, switch_on_w: 150 } as const;

/** The job, asking for whole nodes. */
export const whole = (j: JobSpec): JobSpec => ({ ...j, exclusive: true });
/** Start time by job id. */
export const starts = (r: TinyRun): Map<number, number> => new Map([...r.facts.values()].map((f) => [f.job.id, f.start]));
/** The nodes a job ran on. */
export const nodesOf = (r: TinyRun, id: number): number[] => r.facts.get(id)!.allocation.map((a) => a.node);
/** Each decision of a recorded run, with its time. */
export const decisions = (calls: Call[]): [number, Decision][] => calls.flatMap((c) => c.decisions.map((d): [number, Decision] => [c.now, d]));
/** Each switch to `state` ("on", "off", "sleep"): its time and nodes. */
export const switched = (calls: Call[], state: string): [number, readonly number[]][] =>
  decisions(calls).flatMap(([t, d]): [number, readonly number[]][] => (d.kind === "setPowerState" && d.state === state ? [[t, d.nodes]] : []));
/** Each switch-on: its time and nodes. */
export const switchedOn = (calls: Call[]): [number, readonly number[]][] => switched(calls, "on");
