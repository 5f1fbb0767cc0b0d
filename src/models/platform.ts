/**
 * Runtime platform model: what the simulator (and a live world) integrate.
 * Built from a PlatformSpec by buildPlatform() in models/buildPlatform.ts.
 */
import type { PowerCurve } from "./power.js";
import type { EmbodiedClock } from "./embodied.js";
import type { TimeSeries } from "../core/index.js";
import type { Seconds, Watts } from "../core/index.js";

/** Impact intensity of a site's electricity, per joule at the facility meter. */
export interface IntensityModel {
  /** dim N_COORDS, simulation seconds; ENERGY coordinate is 1 per joule. */
  readonly series: TimeSeries;
  /** Basis of each coordinate (core Basis). */
  readonly basis: Uint8Array;
  readonly source: string;
  /** The series file it was read from (absent for static factors), named when a run needs times it does not cover. */
  readonly file?: string;
}

export interface PowerStateModel {
  readonly watts: Watts;
  readonly switchOnSeconds: Seconds;
  readonly switchOnWatts: Watts;
  readonly switchOffSeconds: Seconds;
  readonly switchOffWatts: Watts;
}

/** GPUs or FPGAs of every node of a pool. */
export interface DeviceModel {
  readonly count: number;
  /** Per device. */
  readonly curve: PowerCurve;
  /** FPGA: time and extra draw per device to load another bitstream. */
  readonly reconfigurationSeconds: Seconds;
  readonly reconfigurationWatts: Watts;
}

export interface DvfsModel {
  readonly name: string;
  readonly speed: number;
  readonly curve: PowerCurve;
}

export interface PoolModel {
  readonly site: number;
  readonly nodeType: string;
  readonly coresPerNode: number;
  readonly count: number;
  /** Memory per node, MB (absent: not modelled, never a constraint). */
  readonly memoryMb?: number;
  /** Every job gets whole nodes here (an exclusive partition). */
  readonly exclusive?: boolean;
  /** Jobs share nodes here: none may hold whole nodes (a request for them is refused). */
  readonly sharedOnly?: boolean;
  /** CPU power curve of the default state. */
  readonly curve: PowerCurve;
  /** CPU speed relative to the reference machine of runtimes. */
  readonly speed: number;
  readonly gpus?: DeviceModel;
  readonly fpgas?: DeviceModel;
  readonly dvfs?: readonly DvfsModel[];
  /** Draw of a node that is on and running nothing: CPU idle plus every device idle. */
  readonly idleWatts: Watts;
  readonly off?: PowerStateModel;
  readonly sleep?: PowerStateModel;
  /** Embodied impacts per node-second, N_PHASES * N_COORDS, phase-major. */
  readonly embodiedPerNodeSecond: Float64Array;
  /** Basis per coordinate of the embodied figures, same layout. */
  readonly embodiedBasis: Uint8Array;
  /**
   * The same figures by component (the node, then each kind of accelerator),
   * each with its own basis, so coverage is reported per source. When absent,
   * the node is one component (embodiedPerNodeSecond, embodiedBasis).
   */
  readonly embodiedParts?: readonly EmbodiedPart[];
  /** How intervals of use are charged embodied impacts past the parts' lifetimes (models/embodied.ts); absent: linear. */
  readonly embodiedClock?: EmbodiedClock;
}

/** One component's embodied impacts in a pool's node: the node itself (with everything but its accelerators), its GPUs or its FPGAs (all of them). */
export interface EmbodiedPart {
  readonly kind: "node" | "gpu" | "fpga";
  /** N_PHASES * N_COORDS per node-second, phase-major. */
  readonly perNodeSecond: Float64Array;
  readonly basis: Uint8Array;
}

export interface SiteModel {
  readonly id: string;
  readonly pue: number;
  /** IT power budget, W (absent: none). */
  readonly powerBudgetW?: number;
  /** A budget that changes over time (W, dim 1, simulation seconds); replaces powerBudgetW. */
  readonly powerBudget?: TimeSeries;
  readonly intensity: IntensityModel;
}

/** One direction of a link between two sites, or (from === to) a site's staging path from a slower storage tier. */
export interface LinkModel {
  readonly from: number;
  readonly to: number;
  /** Bytes per second. */
  readonly bandwidth: number;
  readonly latency: Seconds;
  /** Energy per byte moved, J: at the sending site, at the receiving site, in the network. */
  readonly joulesPerByte: { readonly source: number; readonly destination: number; readonly network: number };
  /** For a staging path: the tier's name. */
  readonly tier?: string;
}

export interface PlatformModel {
  readonly name: string;
  /** Epoch seconds of simulation time 0 (series are aligned to it); absent on hand-built platforms. */
  readonly epoch?: number;
  readonly sites: readonly SiteModel[];
  readonly pools: readonly PoolModel[];
  /** Directed links (each platform link in both directions); empty when sites are not connected. */
  readonly links?: readonly LinkModel[];
}
