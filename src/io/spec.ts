/**
 * Plain, serialisable descriptions of what to simulate (OpenDC SDK style):
 * readers produce them, validate() checks them, models/ and sim/ turn them
 * into runtime objects. Units live in field names at this edge.
 */
import type { Phase } from "../core/index.js";

/**
 * A Quality of Service class: how long a job may be delayed to lower its
 * impact, and how a user trades time for impact (SPECTRUM D6.1 3.2, rec. 7).
 */
export interface QosSpec {
  readonly name: string;
  /** Longest the job may wait beyond its submission on purpose (to lower impact), s; 0 = as soon as possible. */
  readonly max_delay_s: number;
  /** Optional deadline for its end, s after submission. */
  readonly deadline_s?: number;
  /** Preference in [0, 1]: 0 = time only, 1 = impact only. */
  readonly impact_preference: number;
  /** Higher runs first among jobs a policy may start (default 0). */
  readonly priority?: number;
  /** Its jobs may be suspended and resumed (checkpointed) by a policy. */
  readonly preemptible?: boolean;
  /**
   * What a suspension costs, s: writing the checkpoint and reading it back when
   * the job resumes, both at the job's draw (so its energy and impacts are
   * charged like its work), paid at the start of each resumed run and not
   * counted against the walltime (default 0: suspension is free).
   */
  readonly checkpoint_s?: number;
  /** Least length of a piece an interrupting policy plans, s (default 0: one slot). */
  readonly min_piece_s?: number;
}

/** Kinds of device a job or task can run on. */
export const DEVICE_CLASSES = ["cpu", "gpu", "fpga"] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

/** One rigid batch job, as read from a trace (SWF) or built by hand. Times in seconds. */
export interface JobSpec {
  /** Job number from the trace (SWF field 1); unique within a workload. */
  readonly id: number;
  /** Submit time, seconds from the trace's start. */
  readonly submit: number;
  /** Actual run time in seconds (> 0). */
  readonly runtime: number;
  /** Requested time (walltime) in seconds: the scheduler's estimate; the job is killed there. */
  readonly walltime: number;
  /** Requested processors (cores). */
  readonly cores: number;
  /** User id (SWF field 12), -1 when unknown. */
  readonly user: number;
  /** Group id (SWF field 13), -1 when unknown. */
  readonly group: number;
  /** Project or account name used for accounting; "g<group id>" when from SWF ("unknown" without one). */
  readonly project: string;
  /** Queue number (SWF field 15), -1 when unknown. */
  readonly queue: number;
  /** Partition number (SWF field 16), -1 when unknown. */
  readonly partition: number;
  /** Average CPU time used per processor (SWF field 6), seconds, -1 when unknown. */
  readonly avgCpuTime: number;
  /**
   * Share of its processors' time the job kept busy: average CPU time per
   * processor (SWF field 6) / run time (field 4); undefined when field 6 is
   * unknown (-1): the SWF reader gives every record this key, the same keys in
   * the same order for all, so V8 keeps them in one hidden class (test for
   * undefined, not for the key). Read as given, not capped: traces hold values above 1 (CPU
   * time accounted beyond the wall time; 354 of the 2,647 known jobs of the
   * bundled HPC2N excerpt, 16 by more than 5 %, up to 7.4), so whoever uses it
   * caps it at 1 and counts the caps. Green Algorithms charges a job this share
   * of its cores' TDP (Lannelongue et al. 2021).
   */
  readonly cpuUsage?: number;
  /** 1-based line in the source file, for messages. */
  readonly line?: number;
  /**
   * Run time per device class on a reference node (speed 1), s. Absent: `runtime`
   * on CPUs only. A job can only run where a runtime model exists for a device
   * class its pool offers.
   */
  readonly runtimes?: Readonly<Partial<Record<DeviceClass, number>>>;
  /** GPUs and FPGAs requested when running on that class (whole job). */
  readonly gpus?: number;
  readonly fpgas?: number;
  /** FPGA bitstream it needs; loading a different one costs the node's reconfiguration time. */
  readonly bitstream?: string;
  /** Workflow index and task index within it, for workflow tasks. */
  readonly workflow?: number;
  readonly task?: number;
  /** Its QoS class (none: as soon as possible). */
  readonly qos?: QosSpec;
  /**
   * Whole nodes to itself (sbatch --exclusive, or a trace-level option): no
   * other job shares them. Without it a job takes cores, devices and memory on
   * nodes other jobs share, unless its pool is exclusive.
   */
  readonly exclusive?: boolean;
  /** Exactly this many nodes (sbatch -N): its cores spread over them in blocks. */
  readonly exactNodes?: number;
  /** Memory per core (sbatch --mem-per-cpu; SWF field 10, KB per processor) or per node (--mem), MB. */
  readonly memPerCoreMb?: number;
  readonly memPerNodeMb?: number;
}

/** Header directives of an SWF file (";  Key: value" lines). */
export interface SwfHeader {
  readonly maxProcs?: number;
  readonly maxNodes?: number;
  readonly unixStartTime?: number;
  readonly timeZoneString?: string;
  /** Every directive as read, key -> raw value (later duplicates appended with "\n"). */
  readonly directives: Readonly<Record<string, string>>;
}

/** Power curve of a node type: watts as a function of utilisation. */
export interface PowerSpec {
  /** Draw when on and running nothing, W. */
  readonly idle_w: number;
  /**
   * Load curve: [utilisation, watts] points with utilisation in (0, 1], sorted,
   * the last at 1. Below the first point the curve is extended linearly down to
   * u -> 0 towards its value there (SimGrid's "Epsilon"), which may differ from idle_w.
   * Omit for a linear curve from idle_w (at u -> 0) to max_w (at u = 1).
   */
  readonly curve_w?: readonly (readonly [number, number])[];
  /** Full-load draw, W (required when curve_w is absent). */
  readonly max_w?: number;
  /** Where the numbers come from. */
  readonly source: string;
}

/** A low-power state (off or sleep) with its transitions. */
export interface PowerStateSpec {
  readonly w: number;
  readonly switch_on_s: number;
  readonly switch_on_w: number;
  readonly switch_off_s: number;
  readonly switch_off_w: number;
  readonly source: string;
}

/** Impacts per category id ("CC", "ODP", ...), in the category's unit. */
export type CategoryValues = Readonly<Record<string, number>>;

export interface EmbodiedSpec {
  /** Service life over which embodied impacts are amortised, years. */
  readonly lifetime_years: number;
  readonly lifetime_source: string;
  /**
   * Age of the nodes at the run's start, years (default 0: nodes of unknown
   * age are assumed new when the run starts). Under the "paid" rule a node
   * past its lifetime is charged no embodied impacts.
   */
  readonly age_years?: number;
  /**
   * Impacts of one node per life-cycle phase (fabrication, transport, endOfLife;
   * never use), by category id or "PE". Absent when the node type is given by
   * its `parts`: the component method computes them.
   */
  readonly impacts?: Readonly<Partial<Record<Phase, CategoryValues>>>;
  /**
   * "proxy" when the figures are not the node's own but stand in for it (e.g.
   * a generic server for a specific model): every figure then counts as a
   * proxy. Default "data".
   */
  readonly basis?: "data" | "proxy";
  /**
   * Categories without data are filled by proxy: a reference item's values
   * scaled by the ratio of climate-change figures (node CC / reference CC).
   * Categories with neither data nor proxy are reported missing.
   */
  readonly proxy?: { readonly reference: string };
  readonly source: string;
}

/** GPUs or FPGAs of a node type: count per node, per-device power and embodied impacts. */
export interface AcceleratorSpec {
  readonly model: string;
  readonly count: number;
  /** Per device: idle draw and load curve. */
  readonly power: PowerSpec;
  /** Per device, added to the node's embodied impacts. */
  readonly embodied?: EmbodiedSpec;
  /** FPGA: time and extra draw per device to load a different bitstream. */
  readonly reconfiguration_s?: number;
  readonly reconfiguration_w?: number;
  readonly reconfiguration_source?: string;
}

/** A DVFS state: relative CPU speed and the node's CPU power curve in it. */
export interface DvfsStateSpec {
  readonly name: string;
  /** CPU speed relative to the default state (0 < speed <= 1 typically). */
  readonly speed: number;
  readonly power: PowerSpec;
}

/** A CPU part (per socket), as BoaviztaAPI's component method takes it; all optional, the archetype fills the rest. */
export interface CpuPartSpec {
  /** Sockets, default the archetype's. */
  readonly units?: number;
  /** Model name looked up in the CPU table (cpu_specs.csv), e.g. "Intel Xeon Gold 6148". */
  readonly name?: string;
  readonly core_units?: number;
  /** Total die area of one CPU (all dies), mm2. */
  readonly die_size_mm2?: number;
  readonly die_size_per_core_mm2?: number;
  /** Thermal design power of one CPU, W. */
  readonly tdp_w?: number;
  /** e.g. "Xeon Gold": chooses the consumption-profile parameters. */
  readonly model_range?: string;
  readonly manufacturer?: string;
  /** Microarchitecture code name, e.g. "Skylake" (narrows the die-size table). */
  readonly family?: string;
}

/** Memory modules of one kind. */
export interface RamPartSpec {
  readonly units?: number;
  /** Per module, GB. */
  readonly capacity_gb?: number;
  /** Memory-die density, GB per cm2. */
  readonly density_gb_per_cm2?: number;
  readonly manufacturer?: string;
  readonly process_nm?: number;
}

/** SSDs of one kind. */
export interface SsdPartSpec {
  readonly units?: number;
  readonly capacity_gb?: number;
  readonly density_gb_per_cm2?: number;
  readonly manufacturer?: string;
  readonly layers?: number;
}

/** HDDs of one kind (BoaviztaAPI charges an HDD per disk, whatever its capacity; capacity sets its draw). */
export interface HddPartSpec {
  readonly units?: number;
  readonly capacity_gb?: number;
}

/** GPU cards of one kind (BoaviztaAPI's GPU method). */
export interface GpuPartSpec {
  readonly units?: number;
  /** Looked up in the GPU table (gpu_specs.csv), e.g. "NVIDIA A100 SXM4 40GB". */
  readonly name?: string;
  readonly vram_gb?: number;
  readonly vram_dies?: number;
  /** GPU die area as drawn on the wafer, mm2 (wafer use and yield are added by the method). */
  readonly die_size_mm2?: number;
  readonly weight_kg?: number;
  readonly heatsink_weight_kg?: number;
  readonly casing_weight_kg?: number;
  readonly pwb_surface_cm2?: number;
  readonly transport_boat_km?: number;
  readonly transport_truck_km?: number;
  readonly transport_plane_km?: number;
}

/** Power supplies. */
export interface PowerSupplyPartSpec {
  readonly units?: number;
  readonly unit_weight_kg?: number;
}

/**
 * A server given by its parts (BoaviztaAPI's bottom-up method): embodied
 * impacts come from published component factors, and a power profile can come
 * from the CPU's TDP. What is not given comes from a server archetype, and the
 * results say so. A motherboard and the assembly are always counted once.
 */
export interface PartsSpec {
  /** BoaviztaAPI server archetype filling absent parts and values (default "platform_compute_medium"). */
  readonly archetype?: string;
  readonly cpu?: CpuPartSpec;
  readonly ram?: readonly RamPartSpec[];
  readonly ssd?: readonly SsdPartSpec[];
  readonly hdd?: readonly HddPartSpec[];
  readonly gpu?: GpuPartSpec;
  readonly power_supply?: PowerSupplyPartSpec;
  readonly case?: "rack" | "blade";
  /** Where the parts list comes from (a data sheet, an inventory). */
  readonly source: string;
}

/**
 * A node's power from its parts when no measured curve exists:
 * - "boavizta": BoaviztaAPI's server model, (CPUs at the load + RAM) x (1 +
 *   other), the CPU curve fitted to the CPU's TDP with the TEADS ratios, RAM
 *   0.284 W per GB;
 * - "green_algorithms": Green Algorithms' model, cores x TDP per core x load +
 *   0.3725 W per GB of memory.
 */
export interface PowerProfileSpec {
  readonly profile: "boavizta" | "green_algorithms";
  /** boavizta: the share added for the rest of the server (fans, disks, losses), default the archetype's 0.33. */
  readonly other_consumption_ratio?: number;
  /** green_algorithms: TDP per core, W (default: Green Algorithms' table by CPU name, else the CPU's TDP / cores). */
  readonly tdp_per_core_w?: number;
  /** Add the disks' draw (Cloud Carbon Footprint's W per TB; off by default, as both methods leave it out). */
  readonly include_storage?: boolean;
  readonly source?: string;
}

export interface NodeTypeSpec {
  readonly cores: number;
  /** CPU speed relative to the reference machine of runtimes (default 1). */
  readonly speed?: number;
  readonly speed_source?: string;
  readonly gpus?: AcceleratorSpec;
  readonly fpgas?: AcceleratorSpec;
  readonly dvfs?: readonly DvfsStateSpec[];
  readonly memory_gb?: number;
  /** Measured power, or a profile computed from `parts`. */
  readonly power: PowerSpec | PowerProfileSpec;
  readonly power_states?: { readonly off?: PowerStateSpec; readonly sleep?: PowerStateSpec };
  readonly embodied: EmbodiedSpec;
  /** The node's parts, for embodied impacts by component and power profiles from TDP. */
  readonly parts?: PartsSpec;
  readonly description?: string;
}

/** A reference LCA item (e.g. ADEME's generic server) used for proxies. */
export interface LcaReferenceSpec {
  /** Whole embodied life cycle (fabrication + transport + end of life) per item. */
  readonly impacts: CategoryValues;
  readonly source: string;
}

/** Where a site's electricity impacts come from. */
export interface GridSpec {
  /** Zone code of static per-kWh factors (ISO3 country or WOR/EEE) in the electricity factor table. */
  readonly zone: string;
  /** Optional time-varying series; without it the zone's static factors apply. */
  readonly series?: GridSeriesSpec;
}

export type GridSeriesSpec =
  | {
      readonly kind: "carbon_intensity";
      /** CSV path, relative to the platform file. */
      readonly file: string;
      readonly time_column: string;
      readonly value_column: string;
      /** "UTC", an IANA zone for naive local timestamps (e.g. "Europe/Paris"), or rows carry offsets. */
      readonly timezone: string;
      /** Unit of the value column; only gCO2e/kWh is supported. */
      readonly unit: "gCO2e/kWh";
      readonly source: string;
    }
  | {
      readonly kind: "generation_mix";
      readonly file: string;
      readonly time_column: string;
      /** Generation columns (MW or MWh per step) -> per-kWh factors by category id for that source. */
      readonly sources: Readonly<Record<string, CategoryValues>>;
      readonly timezone: string;
      readonly source: string;
    };

export interface SiteSpec {
  readonly id: string;
  readonly name?: string;
  /** Power usage effectiveness (facility / IT), >= 1. */
  readonly pue: number;
  readonly pue_source: string;
  readonly grid: GridSpec;
  /**
   * Node groups: count nodes of a type, and how jobs get them (a partition's
   * policy, as Slurm's OverSubscribe): "shared" (default) jobs share nodes by
   * cores, devices and memory, and a job may ask for whole nodes
   * (sbatch --exclusive); "exclusive" every job gets whole nodes; "shared_only"
   * jobs share nodes and one asking for whole nodes cannot run there.
   */
  readonly nodes: readonly { readonly type: string; readonly count: number; readonly sharing?: "shared" | "exclusive" | "shared_only" }[];
  /** Optional power budget for the whole site (IT), W. */
  readonly power_budget_w?: number;
  /** A budget that changes over time (W, CSV), replacing power_budget_w; policies are told when it changes. */
  readonly power_budget_series?: {
    readonly file: string;
    readonly time_column: string;
    readonly value_column: string;
    readonly timezone: string;
    readonly source: string;
  };
  /**
   * Slower storage tiers (e.g. tape) besides the working storage. A file on a
   * tier is staged to working storage before use or transfer, at the tier's
   * bandwidth (shared by concurrent stagings) after its latency.
   */
  readonly storage_tiers?: readonly StorageTierSpec[];
}

export interface StorageTierSpec {
  readonly tier: string;
  readonly bandwidth_gb_per_s: number;
  /** Time to first byte (e.g. tape mount and seek), s. */
  readonly latency_s: number;
  /** Energy per GB staged, J. */
  readonly energy_j_per_gb: number;
  readonly source: string;
}

/** A network link between two sites, used in both directions (each direction has the full bandwidth). */
export interface LinkSpec {
  readonly from: string;
  readonly to: string;
  /** GB (1e9 bytes) per second. */
  readonly bandwidth_gb_per_s: number;
  readonly latency_s: number;
  /** Energy per GB moved, J: at the sending and receiving site (facility level) and in the network. */
  readonly energy_j_per_gb: { readonly source: number; readonly destination: number; readonly network: number };
  readonly source: string;
}

export interface PlatformSpec {
  readonly name: string;
  readonly description?: string;
  readonly node_types: Readonly<Record<string, NodeTypeSpec>>;
  readonly lca_references?: Readonly<Record<string, LcaReferenceSpec>>;
  readonly sites: readonly SiteSpec[];
  readonly links?: readonly LinkSpec[];
}

export type PolicyName = "fcfs" | "easy" | "conservative" | "heft" | "temporal" | "weighted" | "consolidate" | "powercap" | "campaign" | "flexible";

/** A workflow submitted in a scenario. */
export interface ScenarioWorkflowSpec {
  /** WfFormat instance, relative to the scenario file. */
  readonly file: string;
  /** Submit time, seconds of trace time. */
  readonly submit_s: number;
  /** Site where its initial input files are. */
  readonly site: string;
  readonly project?: string;
  /** Storage tier of the site holding its initial files (default: working storage). */
  readonly initial_tier?: string;
  /**
   * Runtime models on accelerators: tasks whose name starts with `task_prefix` also
   * run on `device` in CPU runtime / speedup (FPGA tasks need `bitstream`).
   */
  readonly accelerated?: readonly { readonly device: "gpu" | "fpga"; readonly task_prefix: string; readonly speedup: number; readonly bitstream?: string }[];
  /** Where the speedups come from, or why they are assumptions. */
  readonly accelerated_source?: string;
}

/** A scenario: what to run and where to write it. Paths relative to the scenario file. */
export interface ScenarioSpec {
  readonly name: string;
  readonly description?: string;
  readonly platform: string;
  readonly workload: {
    readonly file: string;
    readonly format: "swf";
    /** Strict fails on the first bad record; lenient skips or repairs and counts. */
    readonly mode: "strict" | "lenient";
    /** Wall-clock time (ISO 8601 with offset) that trace time 0 maps to, to align with grid series. */
    readonly start: string;
    /** Every job of the trace gets whole nodes (as if each asked sbatch --exclusive); default false: nodes are shared. */
    readonly exclusive?: boolean;
    /**
     * "trace" (default): a job's cores are busy its recorded CPU usage of the
     * time (SWF field 6 / field 4, capped at 1 and the caps counted), fully
     * where unknown; "ignore": always fully busy.
     */
    readonly cpu_usage?: "trace" | "ignore";
  };
  /** How grid series are extended beyond their span: "error" (default), "hold" or "repeat". */
  readonly series_extension?: "error" | "hold" | "repeat";
  /**
   * How a shared node's static power is split among its jobs (DESIGN.md,
   * "Attribution"): "allocated" (default) by each job's allocated cores out of
   * the node's, the unallocated cores' share to the site's overhead; "jobs"
   * all of it among the node's jobs by allocated cores.
   */
  readonly attribution?: {
    readonly static_split?: "allocated" | "jobs";
    /**
     * Embodied impacts of time past a node's lifetime (models/embodied.ts
     * EmbodiedRule): "paid" (default) charges none, "capped" never charges one
     * job's run more than the node's whole embodied impacts, "linear" keeps
     * charging at the amortised rate.
     */
    readonly embodied_after_life?: "linear" | "capped" | "paid";
  };
  /** The single score's EF version: EF 3.1 (default) or EF 3.0's normalisation factors (same weights). */
  readonly score_method?: "ef3.1" | "ef3.0";
  /**
   * The scheduling policy: exactly one of `name` (a built-in policy) and
   * `module` (a policy module file, relative to the scenario file, whose default
   * export is a factory (params) => Policy), with its parameters.
   */
  readonly policy: { readonly name?: PolicyName; readonly module?: string; readonly params?: Readonly<Record<string, unknown>> };
  readonly seed: number;
  /**
   * QoS classes and how jobs get them: by project (unlisted projects get
   * `default`), or by shares drawn per job from the seeded RNG.
   */
  readonly qos?: {
    readonly classes: readonly QosSpec[];
    readonly assign: { readonly by: "project"; readonly projects: Readonly<Record<string, string>>; readonly default: string } | { readonly by: "share"; readonly shares: Readonly<Record<string, number>> };
  };
  /** Workflows submitted during the run (as units, with their DAG and files). */
  readonly workflows?: readonly ScenarioWorkflowSpec[];
  /**
   * Error of the intensity forecasts policies see (relative bias, relative
   * standard deviation per series segment). Default: none, i.e. perfect
   * foresight, which results then state in their provenance.
   */
  readonly forecast?: { readonly bias: number; readonly sigma: number };
  /** Output folder and which tables to write (each default true): jobs.csv, sites.csv, nodes.csv (each node's state timeline and energy). */
  readonly output: { readonly dir: string; readonly jobs_csv?: boolean; readonly timeseries_csv?: boolean; readonly nodes_csv?: boolean };
}
