/**
 * Each node's state timeline and energy (nodes.csv), and how densely busy
 * nodes were packed, per pool (summary.packing): from the simulator's node
 * intervals, one per stay in a state (sim/observer.ts nodeInterval).
 */
import type { PlatformModel } from "../models/index.js";
import type { SimObserver } from "../sim/index.js";

export const NODE_COLUMNS = ["node", "pool", "site", "node_type", "state", "start_s", "end_s", "joules", "busy_cores_mean", "alloc_cores_mean"] as const;

/** NodeState names, by value (planner/view.ts NodeState). */
const STATE_NAMES = ["idle", "busy", "off", "sleep", "switching_on", "switching_off"] as const;

/** How a pool's busy nodes were used over the run. */
export interface PoolPacking {
  readonly pool: number;
  readonly site: string;
  readonly node_type: string;
  readonly cores_per_node: number;
  /** Node-hours with something allocated. */
  readonly busy_node_hours: number;
  /** Over those hours: mean busy and allocated cores per node, and busy cores as a share of their cores. */
  readonly mean_busy_cores: number;
  readonly mean_alloc_cores: number;
  readonly busy_core_share: number;
  /** Energy of the pool's nodes, J: in all, and while busy. */
  readonly joules: number;
  readonly busy_joules: number;
}

const BUSY = 1;

export class NodeTimeline implements SimObserver {
  private readonly poolOf: Int32Array;
  private readonly busySeconds: Float64Array;
  private readonly busyCoreSeconds: Float64Array;
  private readonly allocCoreSeconds: Float64Array;
  private readonly joules: Float64Array;
  private readonly busyJoules: Float64Array;

  /** @param row receives each interval as a nodes.csv row (omit to keep only the packing figures) */
  constructor(
    private readonly platform: PlatformModel,
    private readonly row?: (cells: (string | number)[]) => void,
  ) {
    const n = platform.pools.reduce((a, p) => a + p.count, 0);
    this.poolOf = new Int32Array(n);
    let id = 0;
    platform.pools.forEach((p, i) => {
      for (let k = 0; k < p.count; k++) this.poolOf[id++] = i;
    });
    const P = platform.pools.length;
    this.busySeconds = new Float64Array(P);
    this.busyCoreSeconds = new Float64Array(P);
    this.allocCoreSeconds = new Float64Array(P);
    this.joules = new Float64Array(P);
    this.busyJoules = new Float64Array(P);
  }

  nodeInterval(node: number, state: number, from: number, to: number, joules: number, busyCoreSeconds: number, allocCoreSeconds: number): void {
    const p = this.poolOf[node];
    this.joules[p] += joules;
    if (state === BUSY) {
      this.busySeconds[p] += to - from;
      this.busyCoreSeconds[p] += busyCoreSeconds;
      this.allocCoreSeconds[p] += allocCoreSeconds;
      this.busyJoules[p] += joules;
    }
    if (this.row) {
      const pool = this.platform.pools[p];
      const dt = to - from;
      this.row([node, p, this.platform.sites[pool.site].id, pool.nodeType, STATE_NAMES[state] ?? String(state), from, to, joules, busyCoreSeconds / dt, allocCoreSeconds / dt]);
    }
  }

  /** Packing per pool (pools never busy report zeros). */
  packing(): PoolPacking[] {
    return this.platform.pools.map((pool, p) => {
      const s = this.busySeconds[p];
      const busy = s > 0 ? this.busyCoreSeconds[p] / s : 0;
      return {
        pool: p,
        site: this.platform.sites[pool.site].id,
        node_type: pool.nodeType,
        cores_per_node: pool.coresPerNode,
        busy_node_hours: s / 3600,
        mean_busy_cores: busy,
        mean_alloc_cores: s > 0 ? this.allocCoreSeconds[p] / s : 0,
        busy_core_share: busy / pool.coresPerNode,
        joules: this.joules[p],
        busy_joules: this.busyJoules[p],
      };
    });
  }
}
