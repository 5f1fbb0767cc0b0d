/**
 * WfCommons WfFormat reader (schema 1.5, https://github.com/wfcommons/wfformat).
 * An instance holds a task graph under `workflow.specification` (tasks with
 * parents, children, input and output files; files with sizes) and one
 * recorded run under `workflow.execution` (per-task run time, CPU use,
 * memory, machines; the machines; the makespan).
 *
 * The whole file is read at once: instances are at most a few MB. zod checks
 * the fields used here and accepts any others. Then come the checks across
 * records: ids are unique and known, parent and child lists agree, every task
 * has a positive recorded run time, every file has a size, and the graph has
 * no cycle. Tasks are returned in topological order.
 *
 * Strict mode throws an InputError holding every issue. Lenient mode repairs
 * the issues listed in wfformatRepairCodes and records each repair in an
 * AdjustmentLog. It still throws for every other issue. A task is never
 * dropped, because a DAG cannot lose a task.
 */
import { readTextFile } from "./readText.js";
import { z } from "zod";
import { AdjustmentLog, InputError, type Issue, type IssueCode } from "../core/index.js";
import { describeValue, issuesFromZod, jsonIssue, lazySchema, parseJsonText, PARSE_ONCE } from "./json.js";

export interface WorkflowFile {
  readonly id: string;
  readonly bytes: number;
}

export interface WorkflowTask {
  /** Index in WorkflowSpec.tasks (topological order: every parent before its children). */
  readonly index: number;
  readonly id: string;
  readonly name: string;
  /** Indices of parents and children. */
  readonly parents: readonly number[];
  readonly children: readonly number[];
  /** Indices into WorkflowSpec.files. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Recorded run time, s, on `machine` (> 0; see repairs). */
  readonly runtime: number;
  /** Cores used (execution coreCount, else ceil(avgCPU/100), else 1). */
  readonly cores: number;
  /** Average CPU utilisation as a fraction of `cores` (avgCPU / 100 / cores), or undefined. */
  readonly utilisation?: number;
  readonly memoryBytes?: number;
  /** Name of the machine it was recorded on, if any. */
  readonly machine?: string;
}

export interface WorkflowMachine {
  readonly name: string;
  readonly cores?: number;
  readonly speedMhz?: number;
}

export interface WorkflowSpec {
  readonly name: string;
  readonly file: string;
  readonly schemaVersion: string;
  readonly tasks: readonly WorkflowTask[];
  readonly files: readonly WorkflowFile[];
  readonly machines: readonly WorkflowMachine[];
  /** Files no task produces: they exist before the workflow starts. */
  readonly initialFiles: readonly number[];
  /** Recorded makespan, s, if given. */
  readonly recordedMakespan?: number;
}

export interface WorkflowReadOptions {
  mode: "strict" | "lenient";
  /** Where lenient-mode repairs are counted (required in lenient mode). */
  log?: AdjustmentLog;
  /** Name used in messages and as WorkflowSpec.file; defaults to the path, or "<json>" for parseWorkflow. */
  label?: string;
}

/** Schema versions read; older ones (1.4 and before) keep tasks under `workflow.tasks` and differ in layout. */
export const WFFORMAT_VERSIONS: readonly string[] = ["1.5"];

/**
 * Issues that lenient mode repairs instead of throwing:
 * - invalid_value: a parent or child link listed on one side only. The union is kept.
 *   Also avgCPU above 100 × coreCount, where utilisation is clamped to 1.
 * - duplicate_id: the same id listed twice in one task's parents, children,
 *   inputFiles or outputFiles. It is kept once.
 * - missing_value: a task without an execution record or without runtimeInSeconds
 *   (runtime repaired, see below), or a file without sizeInBytes (0 bytes).
 * - zero_runtime, negative_runtime: runtimeInSeconds <= 0.
 * A repaired runtime is the smallest positive runtime recorded in the workflow.
 * Every other issue (schema, unknown ids, duplicate task, file, record or
 * machine ids, a cycle) throws in both modes.
 */
export const wfformatRepairCodes: ReadonlySet<IssueCode> = new Set<IssueCode>([
  "invalid_value",
  "duplicate_id",
  "missing_value",
  "zero_runtime",
  "negative_runtime",
]);

// ---------------------------------------------------------------------------
// Schema: only the fields used; extra fields are accepted and ignored.

/** Built on first use (see lazySchema). */
const wfformatSchema = lazySchema(() => {
  const nonEmpty = z.string().min(1);

  const specTaskSchema = z.object({
    name: nonEmpty,
    id: nonEmpty,
    parents: z.array(z.string()),
    children: z.array(z.string()),
    inputFiles: z.array(z.string()).optional(),
    outputFiles: z.array(z.string()).optional(),
  });

  const specFileSchema = z.object({
    id: nonEmpty,
    sizeInBytes: z.number().int().min(0).optional(),
  });

  const execTaskSchema = z.object({
    id: nonEmpty,
    runtimeInSeconds: z.number().optional(),
    coreCount: z.number().int().min(1).optional(),
    avgCPU: z.number().min(0).optional(),
    memoryInBytes: z.number().min(0).optional(),
    machines: z.array(nonEmpty).optional(),
  });

  const machineSchema = z.object({
    nodeName: nonEmpty,
    cpu: z
      .object({
        coreCount: z.number().int().min(1).optional(),
        speedInMHz: z.number().int().min(1).optional(),
      })
      .optional(),
  });

  const wfformatSchema = z.object({
    name: nonEmpty,
    schemaVersion: z.string(),
    workflow: z.object({
      specification: z.object({
        tasks: z.array(specTaskSchema).min(1),
        files: z.array(specFileSchema).optional(),
      }),
      execution: z
        .object({
          makespanInSeconds: z.number().min(0).optional(),
          tasks: z.array(execTaskSchema).optional(),
          machines: z.array(machineSchema).optional(),
        })
        .optional(),
    }),
  });

  return wfformatSchema;
});

type WfFormatJson = z.infer<ReturnType<typeof wfformatSchema>>;

const SPEC = ["workflow", "specification"] as const;
const EXEC = ["workflow", "execution"] as const;

// ---------------------------------------------------------------------------
// Readers

/**
 * Reads and validates a WfFormat JSON file. Throws InputError with every
 * problem (JSON path like workflow.specification.tasks[12].parents[0]) in
 * strict mode, and with every problem it cannot repair in lenient mode.
 * @throws InputError (io_error if the file cannot be read); TypeError or RangeError on bad options
 */
export async function readWorkflow(path: string, options: WorkflowReadOptions): Promise<WorkflowSpec> {
  checkOptions(options);
  const label = options.label ?? path;
  const text = await readTextFile(path, label);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // Only for the message: parseJsonText gives the line and column of a syntax error.
    const parsed = parseJsonText(text, label);
    throw new InputError(parsed.issues.length > 0 ? parsed.issues : [{ code: "parse_error", file: label, message: "expected JSON, got text JSON.parse rejects" }]);
  }
  return build(value, label, options, duplicateKeys(text, label));
}

/**
 * Every key repeated in one object of valid JSON text, which JSON.parse drops
 * silently (it keeps the last). Same issues as parseJsonText, in one linear
 * pass: parseJsonText counts lines from the start of the text for each key,
 * which takes minutes on a 3 MB instance.
 */
function duplicateKeys(text: string, file: string): Issue[] {
  const issues: Issue[] = [];
  // One frame per open object or array: keys seen (with their line) or null for an array, and the current key or index.
  const frames: { keys: Map<string, number> | null; at: PropertyKey }[] = [];
  let line = 1;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123 /* { */) {
      frames.push({ keys: new Map(), at: "" });
      expectKey = true;
    } else if (c === 91 /* [ */) {
      frames.push({ keys: null, at: 0 });
      expectKey = false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      frames.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      const top = frames[frames.length - 1];
      if (top.keys === null) top.at = (top.at as number) + 1;
      expectKey = top.keys !== null;
    } else if (c === 34 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92) {
          escaped = true;
          i++;
        }
      }
      if (!expectKey) continue;
      expectKey = false;
      const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      const top = frames[frames.length - 1];
      top.at = key;
      const first = top.keys!.get(key);
      if (first === undefined) top.keys!.set(key, line);
      else {
        const path = frames.map((f) => f.at);
        issues.push(jsonIssue("duplicate_id", file, path, `expected each key once, got "${key}" again (first at line ${first}; JSON would keep only the last)`, undefined, line));
      }
    }
  }
  return issues;
}

/**
 * Validates a parsed WfFormat document (see readWorkflow).
 * @throws InputError holding every issue; TypeError or RangeError on bad options
 */
export function parseWorkflow(json: unknown, options: WorkflowReadOptions): WorkflowSpec {
  checkOptions(options);
  return build(json, options.label ?? "<json>", options, []);
}

function checkOptions(options: WorkflowReadOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError(`WorkflowReadOptions must be an object, got ${String(options)}`);
  if (options.mode !== "strict" && options.mode !== "lenient") {
    throw new RangeError(`WorkflowReadOptions.mode must be "strict" or "lenient", got ${JSON.stringify(options.mode)}`);
  }
  if (options.mode === "lenient" && !(options.log instanceof AdjustmentLog)) {
    throw new TypeError("WorkflowReadOptions.log must be an AdjustmentLog in lenient mode");
  }
}

/** Validates `json` and builds the spec; `errors` holds issues found before (duplicate JSON keys). */
function build(json: unknown, file: string, options: WorkflowReadOptions, errors: Issue[]): WorkflowSpec {
  const version = isObject(json) ? json.schemaVersion : undefined;
  if (typeof version === "string" && !WFFORMAT_VERSIONS.includes(version)) {
    const known = WFFORMAT_VERSIONS.map((v) => JSON.stringify(v)).join(" or ");
    errors.push(
      jsonIssue("invalid_value", file, ["schemaVersion"], `expected WfFormat ${known} (1.4 and older keep tasks under workflow.tasks; convert them with WfCommons), got ${describeValue(version)}`, version),
    );
    throw new InputError(errors);
  }
  const schema = wfformatSchema();
  const parsed = schema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) {
    errors.push(...issuesFromZod(parsed.error.issues, file, schema, json));
    throw new InputError(errors);
  }
  const checker = new Checker(file, options, errors);
  const spec = checker.run(parsed.data);
  if (errors.length > 0) throw new InputError(errors);
  // Repairs are counted only when the workflow is returned.
  for (const issue of checker.repairs) options.log!.record(issue);
  return spec;
}

// ---------------------------------------------------------------------------
// Checks across records

class Checker {
  /** Lenient-mode repairs, in the order found. */
  readonly repairs: Issue[] = [];
  private readonly lenient: boolean;
  constructor(
    private readonly file: string,
    options: WorkflowReadOptions,
    private readonly errors: Issue[],
  ) {
    this.lenient = options.mode === "lenient";
  }

  /** An issue that lenient mode repairs: logged there, an error in strict mode. */
  private repair(code: IssueCode, path: readonly PropertyKey[], message: string, value?: unknown): void {
    const issue = jsonIssue(code, this.file, path, message, value);
    (this.lenient ? this.repairs : this.errors).push(issue);
  }

  /** An issue that throws in both modes. */
  private fail(code: IssueCode, path: readonly PropertyKey[], message: string, value?: unknown): void {
    this.errors.push(jsonIssue(code, this.file, path, message, value));
  }

  run(doc: WfFormatJson): WorkflowSpec {
    const specTasks = doc.workflow.specification.tasks;
    const specFiles = doc.workflow.specification.files ?? [];
    const execution = doc.workflow.execution;
    const n = specTasks.length;

    // Files: unique ids, sizes.
    const fileIndex = new Map<string, number>();
    const files: WorkflowFile[] = specFiles.map((f, i) => {
      const first = fileIndex.get(f.id);
      if (first !== undefined) this.fail("duplicate_id", [...SPEC, "files", i, "id"], `expected a unique file id, got ${describeValue(f.id)} again (first at files[${first}])`, f.id);
      else fileIndex.set(f.id, i);
      if (f.sizeInBytes === undefined) {
        this.repair("missing_value", [...SPEC, "files", i, "sizeInBytes"], "expected a size in bytes >= 0, got nothing (missing field; lenient mode uses 0)");
      }
      return { id: f.id, bytes: f.sizeInBytes ?? 0 };
    });

    // Tasks: unique ids.
    const taskIndex = new Map<string, number>();
    let duplicateTasks = false;
    specTasks.forEach((t, i) => {
      const first = taskIndex.get(t.id);
      if (first !== undefined) {
        duplicateTasks = true;
        this.fail("duplicate_id", [...SPEC, "tasks", i, "id"], `expected a unique task id, got ${describeValue(t.id)} again (first at tasks[${first}])`, t.id);
      } else taskIndex.set(t.id, i);
    });

    // References: parents, children, files (in original positions).
    const resolve = (ids: readonly string[], i: number, field: string, index: Map<string, number>, what: string): number[] => {
      const out: number[] = [];
      const seen = new Set<number>();
      ids.forEach((id, k) => {
        const j = index.get(id);
        const path = [...SPEC, "tasks", i, field, k];
        if (j === undefined) {
          this.fail("unknown_reference", path, `expected the id of a ${what} in workflow.specification.${what === "task" ? "tasks" : "files"}, got ${describeValue(id)}`, id);
        } else if (seen.has(j)) {
          this.repair("duplicate_id", path, `expected each ${what} once in ${field}, got ${describeValue(id)} again`, id);
        } else {
          seen.add(j);
          out.push(j);
        }
      });
      return out;
    };
    const listedParents = specTasks.map((t, i) => resolve(t.parents, i, "parents", taskIndex, "task"));
    const listedChildren = specTasks.map((t, i) => resolve(t.children, i, "children", taskIndex, "task"));
    const inputs = specTasks.map((t, i) => resolve(t.inputFiles ?? [], i, "inputFiles", fileIndex, "file"));
    const outputs = specTasks.map((t, i) => resolve(t.outputFiles ?? [], i, "outputFiles", fileIndex, "file"));

    // Parent and child lists must agree; the union is the graph.
    const parentSets = listedParents.map((p) => new Set(p));
    const childSets = listedChildren.map((c) => new Set(c));
    const parents = listedParents.map((p) => [...p]);
    const children = listedChildren.map((c) => [...c]);
    if (!duplicateTasks) {
      for (let i = 0; i < n; i++) {
        const t = specTasks[i];
        t.parents.forEach((id, k) => {
          const j = taskIndex.get(id);
          if (j === undefined || childSets[j].has(i)) return;
          this.repair("invalid_value", [...SPEC, "tasks", i, "parents", k], `expected tasks[${j}] (${describeValue(id)}) to list ${describeValue(t.id)} among its children, got no such entry`, id);
          childSets[j].add(i);
          children[j].push(i);
        });
        t.children.forEach((id, k) => {
          const j = taskIndex.get(id);
          if (j === undefined || parentSets[j].has(i)) return;
          this.repair("invalid_value", [...SPEC, "tasks", i, "children", k], `expected tasks[${j}] (${describeValue(id)}) to list ${describeValue(t.id)} among its parents, got no such entry`, id);
          parentSets[j].add(i);
          parents[j].push(i);
        });
      }
    }

    // Machines.
    const machineNames = new Map<string, number>();
    const machines: WorkflowMachine[] = (execution?.machines ?? []).map((m, i) => {
      const first = machineNames.get(m.nodeName);
      if (first !== undefined) this.fail("duplicate_id", [...EXEC, "machines", i, "nodeName"], `expected a unique machine nodeName, got ${describeValue(m.nodeName)} again (first at machines[${first}])`, m.nodeName);
      else machineNames.set(m.nodeName, i);
      return {
        name: m.nodeName,
        ...(m.cpu?.coreCount !== undefined ? { cores: m.cpu.coreCount } : {}),
        ...(m.cpu?.speedInMHz !== undefined ? { speedMhz: m.cpu.speedInMHz } : {}),
      };
    });

    // Execution records: one per task.
    const execTasks = execution?.tasks ?? [];
    const recordOf = new Array<number | undefined>(n).fill(undefined);
    execTasks.forEach((r, e) => {
      const i = taskIndex.get(r.id);
      if (i === undefined) {
        this.fail("unknown_reference", [...EXEC, "tasks", e, "id"], `expected the id of a task in workflow.specification.tasks, got ${describeValue(r.id)}`, r.id);
      } else if (recordOf[i] !== undefined) {
        this.fail("duplicate_id", [...EXEC, "tasks", e, "id"], `expected one execution record per task, got ${describeValue(r.id)} again (first at execution.tasks[${recordOf[i]}])`, r.id);
      } else recordOf[i] = e;
      if (execution?.machines !== undefined) {
        (r.machines ?? []).forEach((name, k) => {
          if (!machineNames.has(name)) {
            this.fail("unknown_reference", [...EXEC, "tasks", e, "machines", k], `expected the nodeName of a machine in workflow.execution.machines, got ${describeValue(name)}`, name);
          }
        });
      }
    });

    // Run times: positive, else repaired to the smallest positive one recorded.
    let minPositive = Infinity;
    for (let i = 0; i < n; i++) {
      const e = recordOf[i];
      const rt = e === undefined ? undefined : execTasks[e].runtimeInSeconds;
      if (rt !== undefined && rt > 0 && rt < minPositive) minPositive = rt;
    }
    const repaired = Number.isFinite(minPositive) ? `lenient mode uses ${minPositive} s, the smallest recorded` : "";
    const note = (got: string, detail?: string): string => {
      const inside = [detail, repaired].filter(Boolean).join("; ");
      return inside ? `${got} (${inside})` : got;
    };
    let needsRepair = false;
    const runtimes = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const e = recordOf[i];
      const rt = e === undefined ? undefined : execTasks[e].runtimeInSeconds;
      if (rt !== undefined && rt > 0) {
        runtimes[i] = rt;
        continue;
      }
      needsRepair = true;
      runtimes[i] = minPositive;
      if (e === undefined) {
        this.repair("missing_value", [...SPEC, "tasks", i], `expected an execution record with id ${describeValue(specTasks[i].id)} in workflow.execution.tasks, ${note("got none")}`, specTasks[i].id);
      } else if (rt === undefined) {
        this.repair("missing_value", [...EXEC, "tasks", e, "runtimeInSeconds"], `expected a run time in seconds > 0, ${note("got nothing", "missing field")}`);
      } else {
        this.repair(rt === 0 ? "zero_runtime" : "negative_runtime", [...EXEC, "tasks", e, "runtimeInSeconds"], `expected a run time in seconds > 0, ${note(`got ${rt}`)}`, rt);
      }
    }
    if (needsRepair && this.lenient && !Number.isFinite(minPositive)) {
      this.fail("missing_value", [...EXEC, "tasks"], "expected at least one task with a recorded run time > 0 to repair the others from, got none");
    }

    // Cores and utilisation.
    const cores = new Array<number>(n);
    const utilisation = new Array<number | undefined>(n);
    for (let i = 0; i < n; i++) {
      const e = recordOf[i];
      const r = e === undefined ? undefined : execTasks[e];
      const avg = r?.avgCPU;
      cores[i] = r?.coreCount ?? (avg !== undefined ? Math.max(1, Math.ceil(avg / 100)) : 1);
      if (avg === undefined) continue;
      let u = avg / 100 / cores[i];
      if (u > 1) {
        this.repair("invalid_value", [...EXEC, "tasks", e!, "avgCPU"], `expected at most 100 % per core (coreCount ${cores[i]}: <= ${cores[i] * 100}), got ${avg} (lenient mode uses utilisation 1)`, avg);
        u = 1;
      }
      utilisation[i] = u;
    }

    // Topological order; a cycle throws in both modes.
    if (duplicateTasks) return this.empty(doc, files, machines);
    const order = topologicalOrder(n, parents, children);
    if (order.length < n) {
      this.reportCycle(specTasks.map((t) => t.id), parents, order);
      return this.empty(doc, files, machines);
    }
    const position = new Array<number>(n);
    order.forEach((orig, k) => (position[orig] = k));
    const byPosition = (a: number, b: number): number => a - b;

    const tasks: WorkflowTask[] = order.map((orig, k) => {
      const e = recordOf[orig];
      const r = e === undefined ? undefined : execTasks[e];
      const t = specTasks[orig];
      const u = utilisation[orig];
      const machine = r?.machines?.[0];
      return {
        index: k,
        id: t.id,
        name: t.name,
        parents: parents[orig].map((p) => position[p]).sort(byPosition),
        children: children[orig].map((c) => position[c]).sort(byPosition),
        inputs: inputs[orig],
        outputs: outputs[orig],
        runtime: runtimes[orig],
        cores: cores[orig],
        ...(u !== undefined ? { utilisation: u } : {}),
        ...(r?.memoryInBytes !== undefined ? { memoryBytes: r.memoryInBytes } : {}),
        ...(machine !== undefined ? { machine } : {}),
      };
    });

    const produced = new Uint8Array(files.length);
    for (const out of outputs) for (const f of out) produced[f] = 1;
    const initialFiles: number[] = [];
    for (let f = 0; f < files.length; f++) if (!produced[f]) initialFiles.push(f);

    return {
      name: doc.name,
      file: this.file,
      schemaVersion: doc.schemaVersion,
      tasks,
      files,
      machines,
      initialFiles,
      ...(execution?.makespanInSeconds !== undefined ? { recordedMakespan: execution.makespanInSeconds } : {}),
    };
  }

  /** Placeholder returned when errors are already recorded (the caller throws). */
  private empty(doc: WfFormatJson, files: WorkflowFile[], machines: WorkflowMachine[]): WorkflowSpec {
    return { name: doc.name, file: this.file, schemaVersion: doc.schemaVersion, tasks: [], files, machines, initialFiles: [] };
  }

  /**
   * Names one cycle among the tasks Kahn's algorithm could not order: from the
   * first such task, follow its first unordered parent until a task repeats.
   * The message lists the cycle from its first task in file order, parent to child.
   */
  private reportCycle(ids: readonly string[], parents: readonly number[][], order: readonly number[]): void {
    const ordered = new Uint8Array(ids.length);
    for (const i of order) ordered[i] = 1;
    let start = 0;
    while (ordered[start]) start++;
    // Every unordered task has an unordered parent, so this walk repeats a task.
    const step = new Map<number, number>();
    let at = start;
    while (!step.has(at)) {
      const next = Math.min(...parents[at].filter((p) => !ordered[p]));
      step.set(at, next);
      at = next;
    }
    const cycle: number[] = [at];
    for (let p = step.get(at)!; p !== at; p = step.get(p)!) cycle.push(p);
    // `cycle` runs child to parent; show it parent to child from its lowest index.
    cycle.reverse();
    const low = cycle.indexOf(Math.min(...cycle));
    const rotated = [...cycle.slice(low), ...cycle.slice(0, low)];
    const first = rotated[0];
    const chain = [...rotated, first].map((i) => JSON.stringify(ids[i])).join(" -> ");
    this.fail("invalid_value", [...SPEC, "tasks", first, "parents"], `expected an acyclic graph, got a cycle through task ${JSON.stringify(ids[first])}: ${chain}`, ids[first]);
  }
}

/**
 * Kahn's algorithm, always taking the ready task with the lowest original
 * index: a file already in topological order keeps its order. Returns fewer
 * than n indices when the graph has a cycle.
 */
function topologicalOrder(n: number, parents: readonly number[][], children: readonly number[][]): number[] {
  const waiting = parents.map((p) => p.length);
  const heap = new MinHeap();
  for (let i = 0; i < n; i++) if (waiting[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (const c of children[i]) if (--waiting[c] === 0) heap.push(c);
  }
  return order;
}

/** A binary min-heap of non-negative integers. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    let i = a.push(v) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up] <= v) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

// ---------------------------------------------------------------------------
// Analysis

/**
 * Longest path through the DAG by task runtimes (seconds) and the task indices on it, for reports and tests.
 * `weight` gives each task's length (default: its runtime, s). Ties go to the lower task index.
 * Returns length 0 and no tasks for a workflow without tasks.
 * @throws RangeError if a weight is not a finite number >= 0, or the tasks are not in topological order
 */
export function criticalPath(w: WorkflowSpec, weight: (t: WorkflowTask) => number = (t) => t.runtime): { length: number; tasks: number[] } {
  const n = w.tasks.length;
  const finish = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  let end = -1;
  for (let i = 0; i < n; i++) {
    const t = w.tasks[i];
    if (t.index !== i) throw new RangeError(`criticalPath: expected tasks[${i}].index to be ${i}, got ${t.index}`);
    const x = weight(t);
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
      throw new RangeError(`criticalPath: expected a finite weight >= 0 for task ${JSON.stringify(t.id)}, got ${String(x)}`);
    }
    let start = 0;
    for (const p of t.parents) {
      if (!(p < i)) throw new RangeError(`criticalPath: expected parents before children, got parent ${p} of task ${i}`);
      if (finish[p] > start || (via[i] === -1 && finish[p] === start)) {
        start = finish[p];
        via[i] = p;
      }
    }
    finish[i] = start + x;
    if (end === -1 || finish[i] > finish[end]) end = i;
  }
  if (end === -1) return { length: 0, tasks: [] };
  const tasks: number[] = [];
  for (let i = end; i !== -1; i = via[i]) tasks.push(i);
  tasks.reverse();
  return { length: finish[end], tasks };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
