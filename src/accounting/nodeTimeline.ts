/**
 * Each node's energy and time by state (nodes.csv), and how densely busy
 * nodes were packed, per pool (summary.packing): from the simulator's node
 * intervals, one per stay in a state (sim/observer.ts nodeInterval). The
 * stays themselves are as many as jobs on machines of small nodes, so nodes.csv
 * sums them per node and state; a run asks for the timeline apart.
 */
import type { PlatformModel } from "../models/index.js";
import type { SimObserver } from "../sim/index.js";

/** nodes.csv: per node and state it was in, the time, the energy and the busy and allocated core-seconds. */
export const NODE_COLUMNS = ["node", "pool", "site", "node_type", "state", "seconds", "stays", "joules", "busy_core_seconds", "alloc_core_seconds"] as const;

/** NodeState names, by value (planner/view.ts NodeState). */
const STATE_NAMES = ["idle", "busy", "off", "sleep", "switching_on", "switching_off"] as const;
const STATES = STATE_NAMES.length;
const BUSY = 1;

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

export class NodeTimeline implements SimObserver {
  private readonly poolOf: Int32Array;
  /** Per node and state (node x STATES + state): seconds, stays, joules, busy and allocated core-seconds. */
  private readonly seconds: Float64Array;
  private readonly stays: Float64Array;
  private readonly joules: Float64Array;
  private readonly busy: Float64Array;
  private readonly alloc: Float64Array;

  /** @param row receives nodes.csv's rows when the run is finished (omit to keep only the packing figures) */
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
    this.seconds = new Float64Array(n * STATES);
    this.stays = new Float64Array(n * STATES);
    this.joules = new Float64Array(n * STATES);
    this.busy = new Float64Array(n * STATES);
    this.alloc = new Float64Array(n * STATES);
  }

  nodeInterval(node: number, state: number, from: number, to: number, joules: number, busyCoreSeconds: number, allocCoreSeconds: number): void {
    const k = node * STATES + state;
    this.seconds[k] += to - from;
    this.stays[k]++;
    this.joules[k] += joules;
    this.busy[k] += busyCoreSeconds;
    this.alloc[k] += allocCoreSeconds;
  }

  finished(): void {
    if (!this.row) return;
    for (let node = 0; node < this.poolOf.length; node++) {
      const p = this.poolOf[node];
      const pool = this.platform.pools[p];
      const site = this.platform.sites[pool.site].id;
      for (let s = 0; s < STATES; s++) {
        const k = node * STATES + s;
        if (this.stays[k] === 0) continue;
        this.row([node, p, site, pool.nodeType, STATE_NAMES[s], this.seconds[k], this.stays[k], this.joules[k], this.busy[k], this.alloc[k]]);
      }
    }
  }

  /** Packing per pool (pools never busy report zeros). */
  packing(): PoolPacking[] {
    const P = this.platform.pools.length;
    const sum = (a: Float64Array, p: number, state?: number) => {
      let t = 0;
      for (let node = 0; node < this.poolOf.length; node++) {
        if (this.poolOf[node] !== p) continue;
        if (state !== undefined) t += a[node * STATES + state];
        else for (let s = 0; s < STATES; s++) t += a[node * STATES + s];
      }
      return t;
    };
    return Array.from({ length: P }, (_, p) => {
      const pool = this.platform.pools[p];
      const s = sum(this.seconds, p, BUSY);
      const busy = s > 0 ? sum(this.busy, p, BUSY) / s : 0;
      return {
        pool: p,
        site: this.platform.sites[pool.site].id,
        node_type: pool.nodeType,
        cores_per_node: pool.coresPerNode,
        busy_node_hours: s / 3600,
        mean_busy_cores: busy,
        mean_alloc_cores: s > 0 ? sum(this.alloc, p, BUSY) / s : 0,
        busy_core_share: busy / pool.coresPerNode,
        joules: sum(this.joules, p),
        busy_joules: sum(this.joules, p, BUSY),
      };
    });
  }
}
