/**
 * A PoolView over a pool's model: what every world (simulated or live) shows
 * of a pool, with the counts of free, sleeping and waking nodes kept by the
 * world. One implementation, so both worlds answer a policy alike.
 */
import type { DeviceClass } from "../io/spec.js";
import { busyNodeWatts } from "../models/nodePower.js";
import type { PoolModel } from "../models/platform.js";
import type { PoolView } from "./view.js";

export class ModelPoolView implements PoolView {
  freeNodes: number;
  sleepingNodes = 0;
  wakingNodes = 0;
  readonly dvfsSpeeds: readonly number[];
  constructor(
    readonly index: number,
    readonly model: PoolModel,
    readonly site: string,
    readonly siteIndex: number,
    readonly firstNode: number,
  ) {
    this.freeNodes = model.count;
    this.dvfsSpeeds = model.dvfs?.map((d) => d.speed) ?? [];
  }
  get nodeType() { return this.model.nodeType; }
  get coresPerNode() { return this.model.coresPerNode; }
  get nodes() { return this.model.count; }
  get speed() { return this.model.speed; }
  get gpusPerNode() { return this.model.gpus?.count ?? 0; }
  get fpgasPerNode() { return this.model.fpgas?.count ?? 0; }
  get idleWatts() { return this.model.idleWatts; }
  get embodiedPerNodeSecond() { return this.model.embodiedPerNodeSecond; }
  get off() { return this.model.off; }
  get sleep() { return this.model.sleep; }
  busyWatts(device: DeviceClass, cpuUtilisation: number, devicesPerNode: number, pstate?: number): number {
    return busyNodeWatts(this.model, device, cpuUtilisation, devicesPerNode, 1, pstate);
  }
}
