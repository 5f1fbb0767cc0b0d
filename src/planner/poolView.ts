/**
 * PoolViews over pool models: what every world (simulated or live) shows of a
 * pool, as plain frozen data, so both worlds answer a policy alike. The fixed
 * figures are made once per pool (poolFigures); a view of the pool at an
 * instant adds its counts (poolView).
 */
import type { DeviceClass } from "../io/index.js";
import { busyNodeWatts, shareDraw } from "../models/index.js";
import type { PoolModel, PowerStateModel } from "../models/index.js";
import type { PoolView, PowerStateView } from "./view.js";

/** A pool's figures that never change: everything in a PoolView but its counts. */
export type PoolFigures = Omit<PoolView, "freeNodes" | "sleepingNodes" | "wakingNodes" | "freeCores">;

function stateView(m: PowerStateModel | undefined): PowerStateView | undefined {
  return m && Object.freeze({ watts: m.watts, switchOnSeconds: m.switchOnSeconds, switchOnWatts: m.switchOnWatts, switchOffSeconds: m.switchOffSeconds, switchOffWatts: m.switchOffWatts });
}

/**
 * The fixed figures of pool `index` (frozen; its embodied impacts a copy, so a
 * policy cannot change what the world charges).
 */
export function poolFigures(index: number, model: PoolModel, site: string, siteIndex: number, firstNode: number): PoolFigures {
  return withMaker({
    index,
    site,
    siteIndex,
    nodeType: model.nodeType,
    coresPerNode: model.coresPerNode,
    firstNode,
    nodes: model.count,
    speed: model.speed,
    gpusPerNode: model.gpus?.count ?? 0,
    fpgasPerNode: model.fpgas?.count ?? 0,
    dvfsSpeeds: Object.freeze(model.dvfs?.map((d) => d.speed) ?? []),
    idleWatts: model.idleWatts,
    busyWatts: (device: DeviceClass, cpuUtilisation: number, devicesPerNode: number, pstate?: number) => busyNodeWatts(model, device, cpuUtilisation, devicesPerNode, 1, pstate),
    shareWatts: (device: DeviceClass, cores: number, devices: number, load: number, pstate?: number) => {
      const gpus = device === "gpu" ? devices : 0;
      const fpgas = device === "fpga" ? devices : 0;
      const b = load > 0 ? 1 : 0;
      return shareDraw(model, pstate ?? -1, load * cores, cores, { cores, busyCores: load * cores, gpus, busyGpus: b * gpus, fpgas, busyFpgas: b * fpgas, reconfFpgas: 0 });
    },
    embodiedPerNodeSecond: Float64Array.from(model.embodiedPerNodeSecond),
    ...(model.embodiedParts ? { embodiedParts: Object.freeze(model.embodiedParts.map((part) => Object.freeze({ kind: part.kind, perNodeSecond: Float64Array.from(part.perNodeSecond) }))) } : {}),
    ...(model.embodiedClock ? { embodiedClock: model.embodiedClock } : {}),
    exclusive: model.exclusive === true,
    sharedOnly: model.sharedOnly === true,
    ...(model.memoryMb !== undefined ? { memoryMb: model.memoryMb } : {}),
    ...(model.off ? { off: stateView(model.off) } : {}),
    ...(model.sleep ? { sleep: stateView(model.sleep) } : {}),
  });
}

type Maker = (figures: PoolFigures, freeNodes: number, sleepingNodes: number, wakingNodes: number, freeCores: number) => PoolView;

/** Where poolFigures keeps its figures' maker of views: a symbol, not enumerable, so neither spreads nor keys see it. */
const MAKER = Symbol("poolViewMaker");

/**
 * The figures, frozen, with a maker of their views: one object literal with
 * their keys written out, in their order, then the counts, compiled once per
 * pool. A spread of the frozen figures (~0.4-0.6 µs a view, measured) was
 * consolidate's largest cost in views: it makes some 200,000 on KTH x8; the
 * literal makes the same object, key for key, in about a quarter of that.
 */
function withMaker(figures: PoolFigures): PoolFigures {
  const fields = Object.keys(figures).map((k) => `${JSON.stringify(k)}: f[${JSON.stringify(k)}]`);
  const make = new Function("f", "freeNodes", "sleepingNodes", "wakingNodes", "freeCores", `return { ${fields.join(", ")}, freeNodes, sleepingNodes, wakingNodes, freeCores };`) as Maker;
  Object.defineProperty(figures, MAKER, { value: make, enumerable: false });
  return Object.freeze(figures);
}

/** A pool at an instant: its figures and counts, frozen (free cores: those of its free nodes unless given). */
export function poolView(figures: PoolFigures, freeNodes: number, sleepingNodes: number, wakingNodes: number, freeCores = freeNodes * figures.coresPerNode): PoolView {
  // Figures not made by poolFigures (a copy, or made by hand) have no maker: spread, the same object.
  const make = (figures as { [MAKER]?: Maker })[MAKER];
  return Object.freeze(make !== undefined ? make(figures, freeNodes, sleepingNodes, wakingNodes, freeCores) : { ...figures, freeNodes, sleepingNodes, wakingNodes, freeCores });
}

/** The figures of every pool of a platform, node ids numbered in pool order. */
export function platformPoolFigures(platform: { readonly pools: readonly PoolModel[]; readonly sites: readonly { readonly id: string }[] }): PoolFigures[] {
  let next = 0;
  return platform.pools.map((m, i) => {
    const f = poolFigures(i, m, platform.sites[m.site].id, m.site, next);
    next += m.count;
    return f;
  });
}
