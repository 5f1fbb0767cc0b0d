/**
 * Slurm job requests as a scientist gives them to `sbatch`, read for
 * `impactsim estimate`: command-line arguments and the `#SBATCH` lines of a
 * batch script, with command-line options overriding the script's.
 *
 * Supported: the size and time of a job (-N/--nodes, -n/--ntasks,
 * --ntasks-per-node, -c/--cpus-per-task, --gres=gpu[:type][:count],
 * -G/--gpus, --gpus-per-node, -t/--time, --mem, --mem-per-cpu) and labels
 * (-p, -A, -J, -q, --begin). Options that do not change an estimate (output
 * files, mail, constraints, ...) are accepted and listed in `ignored`. Both
 * `--opt=value` and `--opt value`, `-N 2`, `-N2` and clustered flags (`-Hk`)
 * are read, as getopt does; duplicated options: the last wins.
 *
 * Not supported (an issue says so): job arrays, heterogeneous jobs, GPUs per
 * task or socket, memory or CPUs per GPU, abbreviated long options
 * (`--nod=2`) and any option not listed here.
 *
 * Simplifications, each as sbatch comes closest: a node range "2-4" is
 * reduced to its minimum (with a note); GPU options form one group in which
 * the last one given wins, as do --mem and --mem-per-cpu (which sbatch refuses
 * together from one source); `--mem=0`, Slurm's "all the memory of each
 * node", is kept as 0 for the caller to resolve against its node type.
 */
import { readFile } from "node:fs/promises";
import { InputError, type Issue } from "../core/index.js";

export interface SlurmRequest {
  /** -N, --nodes; of a range "2-4" the minimum. */
  readonly nodes?: number;
  /** -n, --ntasks. */
  readonly ntasks?: number;
  /** --ntasks-per-node (a maximum when ntasks is also given, as in Slurm). */
  readonly ntasksPerNode?: number;
  /** -c, --cpus-per-task. */
  readonly cpusPerTask?: number;
  /** GPUs of the whole job, from --gres=gpu, -G/--gpus or --gpus-per-node (per-node counts times nodes, 1 node by default). */
  readonly gpus?: number;
  /** GPUs per node when the request gave them so (--gres=gpu, --gpus-per-node), kept so that a later --nodes rescales gpus. */
  readonly gpusPerNode?: number;
  /** GPU type, from gpu:type:N or --gpus=type:N. */
  readonly gpuType?: string;
  /** -t, --time, in seconds. */
  readonly timeS?: number;
  /** --mem, per node, in MB; 0 means all the memory of each node (Slurm's meaning). */
  readonly memMb?: number;
  /** --mem-per-cpu, in MB. */
  readonly memPerCpuMb?: number;
  /** -p, --partition. */
  readonly partition?: string;
  /** --exclusive: whole nodes to itself (any of its forms: user, mcs and topo are read as plain exclusive). */
  readonly exclusive?: boolean;
  /** --begin, kept as given. */
  readonly begin?: string;
  /** -A, --account. */
  readonly account?: string;
  /** -J, --job-name. */
  readonly jobName?: string;
  /** -q, --qos. */
  readonly qos?: string;
  /** Accepted options that do not change an estimate (e.g. --output), with where they were given, so the caller can say they were ignored. */
  readonly ignored: readonly { readonly option: string; readonly where: string }[];
  /** Adjustments made (e.g. a node range reduced to its minimum), with where. */
  readonly notes: readonly string[];
  /**
   * Where each field was set (the option that won): so a problem found later,
   * such as no pool holding the nodes asked, names the script line or the
   * command line it came from. The GPU options share "gpus", --mem and
   * --mem-per-cpu share "mem".
   */
  readonly where: Readonly<Partial<Record<SourcedField, SlurmSource>>>;
  /** The batch script read, with the number of #SBATCH directives sbatch would apply from it. */
  readonly script?: { readonly file: string; readonly directives: number };
}

/** Where an option was given: "command line" or a script file, its line, and the option's long name. */
export interface SlurmSource {
  readonly file: string;
  readonly line?: number;
  readonly option: string;
}

export type SourcedField = Field | "gpus" | "mem";

type Field = "nodes" | "ntasks" | "ntasksPerNode" | "cpusPerTask" | "timeS" | "partition" | "begin" | "account" | "jobName" | "qos" | "exclusive";
type Arg = "none" | "required" | "optional"; // "optional": a value only after "=", as getopt does
type Handler =
  | { kind: "count"; field: "nodes" | "ntasks" | "ntasksPerNode" | "cpusPerTask" }
  | { kind: "string"; field: "partition" | "begin" | "account" | "jobName" | "qos" }
  | { kind: "time" | "mem" | "memPerCpu" | "gres" | "gpus" | "gpusPerNode" | "exclusive" }
  | { kind: "ignored"; note?: string }
  | { kind: "unsupported"; why: string };
interface OptionSpec { readonly long: string; readonly short?: string; readonly arg: Arg; readonly handler: Handler }

const IGNORED: Handler = { kind: "ignored" };
const OPTIONS: readonly OptionSpec[] = [
  { long: "nodes", short: "N", arg: "required", handler: { kind: "count", field: "nodes" } },
  { long: "ntasks", short: "n", arg: "required", handler: { kind: "count", field: "ntasks" } },
  { long: "ntasks-per-node", arg: "required", handler: { kind: "count", field: "ntasksPerNode" } },
  { long: "cpus-per-task", short: "c", arg: "required", handler: { kind: "count", field: "cpusPerTask" } },
  { long: "gres", arg: "required", handler: { kind: "gres" } },
  { long: "gpus", short: "G", arg: "required", handler: { kind: "gpus" } },
  { long: "gpus-per-node", arg: "required", handler: { kind: "gpusPerNode" } },
  { long: "time", short: "t", arg: "required", handler: { kind: "time" } },
  { long: "mem", arg: "required", handler: { kind: "mem" } },
  { long: "mem-per-cpu", arg: "required", handler: { kind: "memPerCpu" } },
  { long: "partition", short: "p", arg: "required", handler: { kind: "string", field: "partition" } },
  { long: "begin", short: "b", arg: "required", handler: { kind: "string", field: "begin" } },
  { long: "account", short: "A", arg: "required", handler: { kind: "string", field: "account" } },
  { long: "job-name", short: "J", arg: "required", handler: { kind: "string", field: "jobName" } },
  { long: "qos", short: "q", arg: "required", handler: { kind: "string", field: "qos" } },
  { long: "exclusive", arg: "optional", handler: { kind: "exclusive" } },
  // Accepted, no effect on an estimate (--oversubscribe: impactsim never puts more jobs on a core than it has).
  ...["output:o", "error:e", "input:i", "mail-type", "mail-user", "chdir:D", "export", "export-file", "open-mode",
    "comment", "signal", "constraint:C", "cluster-constraint", "licenses:L", "reservation", "nodelist:w", "exclude:x",
    "distribution:m", "wckey", "priority", "deadline", "time-min", "mcs-label", "acctg-freq", "profile"]
    .map((s): OptionSpec => { const [long, short] = s.split(":"); return { long, short, arg: "required", handler: IGNORED }; }),
  ...["requeue", "no-requeue", "hold:H", "no-kill:k", "quiet:Q", "verbose:v", "wait:W", "parsable", "contiguous", "oversubscribe:s", "kill-on-invalid-dep"]
    .map((s): OptionSpec => { const [long, short] = s.split(":"); return { long, short, arg: "none", handler: IGNORED }; }),
  ...["nice", "propagate", "get-user-env"].map((long): OptionSpec => ({ long, arg: "optional", handler: IGNORED })),
  { long: "dependency", short: "d", arg: "required", handler: { kind: "ignored", note: "waiting on dependencies is not modelled; the estimate assumes they are met" } },
  { long: "cpu-freq", arg: "required", handler: { kind: "ignored", note: "a requested CPU frequency is not modelled; the estimate uses the node type's power curve" } },
  { long: "array", short: "a", arg: "required", handler: { kind: "unsupported", why: "job arrays are not supported; estimate one element of the array instead (drop --array)" } },
  { long: "gpus-per-task", arg: "required", handler: { kind: "unsupported", why: "GPUs per task are not supported; give the total with --gpus=N" } },
  { long: "gpus-per-socket", arg: "required", handler: { kind: "unsupported", why: "GPUs per socket are not supported; give the total with --gpus=N" } },
  { long: "mem-per-gpu", arg: "required", handler: { kind: "unsupported", why: "memory per GPU is not supported; give --mem (per node) instead" } },
  { long: "cpus-per-gpu", arg: "required", handler: { kind: "unsupported", why: "CPUs per GPU are not supported; give --cpus-per-task instead" } },
];
const BY_LONG = new Map(OPTIONS.map((o) => [o.long, o]));
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

/** A bad value; its message becomes the issue's message. */
class ValueProblem extends Error {}

/** Mutable state of one source (command line or script) while it is parsed. */
class Draft {
  readonly fields: { -readonly [K in Field]?: SlurmRequest[K] } = {};
  gpu?: { count: number; perNode: boolean; type?: string };
  mem?: { mb: number; perCpu: boolean; where: string };
  readonly ignored: { option: string; where: string }[] = [];
  readonly notes: string[] = [];
  readonly issues: Issue[] = [];
  readonly where: Partial<Record<SourcedField, SlurmSource>> = {};

  constructor(readonly file: string) {}

  /** Reads argv-style tokens; `line` is set for a script line. */
  parse(tokens: readonly string[], line?: number): void {
    const where = line === undefined ? this.file : `${this.file}:${line}`;
    const end = line === undefined ? "end of arguments" : "end of line";
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token.startsWith("--") && token.length > 2) {
        const eq = token.indexOf("=");
        const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
        const spec = BY_LONG.get(name);
        if (!spec) { this.issue("unknown_option", line, `--${name}`, `expected an sbatch option impactsim supports, got "--${name}"`); continue; }
        let value = eq < 0 ? undefined : token.slice(eq + 1);
        if (spec.arg === "none" && value !== undefined) { this.issue("invalid_value", line, `--${name}`, `expected no value, got "${value}"`, value); continue; }
        if (spec.arg === "required" && value === undefined) {
          value = tokens[++i];
          if (value === undefined) { this.issue("invalid_value", line, `--${name}`, `expected a value, got ${end}`); continue; }
        }
        this.apply(spec, value, where, line);
      } else if (token.startsWith("-") && token.length > 1 && token !== "--") {
        // getopt: flags may be clustered ("-Hk"); an option taking a value takes the rest of the token or the next one.
        for (let j = 1; j < token.length; j++) {
          const spec = BY_SHORT.get(token[j]);
          if (!spec) { this.issue("unknown_option", line, `-${token[j]}`, `expected an sbatch option impactsim supports, got "-${token[j]}"`); break; }
          if (spec.arg !== "required") { this.apply(spec, undefined, where, line); continue; }
          const value = j + 1 < token.length ? token.slice(j + 1) : tokens[++i];
          if (value === undefined) this.issue("invalid_value", line, `--${spec.long}`, `expected a value, got ${end}`);
          else this.apply(spec, value, where, line);
          break;
        }
      } else {
        const why = /^(hetjob|packjob|:)$/i.test(token)
          ? "heterogeneous jobs are not supported; estimate each component separately"
          : `expected an option starting with "-", got "${token}"`;
        this.issue("unknown_option", line, token, why);
      }
    }
  }

  private apply(spec: OptionSpec, value: string | undefined, where: string, line: number | undefined): void {
    const h = spec.handler;
    const path = `--${spec.long}`;
    const source: SlurmSource = line === undefined ? { file: this.file, option: path } : { file: this.file, line, option: path };
    try {
      switch (h.kind) {
        case "count":
          this.fields[h.field] = h.field === "nodes" ? this.nodeCount(value!, where) : positiveInteger(value!);
          this.where[h.field] = source;
          break;
        case "string": this.fields[h.field] = value!; this.where[h.field] = source; break;
        case "time": this.fields.timeS = parseSlurmTime(value!); this.where.timeS = source; break;
        case "exclusive":
          if (value !== undefined && !["user", "mcs", "topo"].includes(value)) throw new ValueProblem(`expected --exclusive, or --exclusive=user, mcs or topo, got "${value}"`);
          // Shared with the user's own jobs (user, mcs) or a topology block (topo): read as whole nodes to the job, the bound a planner can count on.
          if (value !== undefined) this.notes.push(`${where}: ${path}=${value}: read as --exclusive (its nodes to this job alone)`);
          this.fields.exclusive = true;
          this.where.exclusive = source;
          break;
        case "mem": case "memPerCpu": {
          const perCpu = h.kind === "memPerCpu";
          if (this.mem && this.mem.perCpu !== perCpu) {
            throw new ValueProblem(`expected only one of --mem and --mem-per-cpu (sbatch refuses both), got both (the other at ${this.mem.where})`);
          }
          this.mem = { mb: parseSlurmMemory(value!), perCpu, where };
          this.where.mem = source;
          break;
        }
        case "gres":
          this.gpu = parseGres(value!);
          if (this.gpu) this.where.gpus = source;
          else delete this.where.gpus; // --gres=none asks for no GPU
          break;
        case "gpus": case "gpusPerNode": this.gpu = { ...parseGpuCount(value!), perNode: h.kind === "gpusPerNode" }; this.where.gpus = source; break;
        case "ignored":
          this.ignored.push({ option: value === undefined ? path : `${path}=${value}`, where });
          if (h.note) this.notes.push(`${where}: ${path}: ${h.note}`);
          break;
        case "unsupported": this.issue("unknown_option", line, path, h.why, value); break;
      }
    } catch (err) {
      if (!(err instanceof ValueProblem || err instanceof RangeError)) throw err;
      this.issue("invalid_value", line, path, err.message, value);
    }
  }

  private nodeCount(value: string, where: string): number {
    const range = /^(\d+)-(\d+)$/.exec(value);
    if (!range) {
      if (!/^\d+$/.test(value)) throw new ValueProblem(`expected a positive integer or a range min-max, got "${value}"`);
      return positiveInteger(value);
    }
    const [min, max] = [positiveInteger(range[1]), positiveInteger(range[2])];
    if (max < min) throw new ValueProblem(`expected a range min-max with min <= max, got "${value}"`);
    // An estimate needs one size; the minimum is what Slurm guarantees to start with.
    if (max > min) this.notes.push(`${where}: --nodes=${value}: node range reduced to its minimum, ${min}`);
    return min;
  }

  private issue(code: Issue["code"], line: number | undefined, path: string, message: string, value?: string): void {
    this.issues.push({ code, file: this.file, line, path, message, ...(value === undefined ? {} : { value }) });
  }

  /** The request, or an InputError holding every issue found. */
  finish(): SlurmRequest {
    if (this.issues.length > 0) throw new InputError(this.issues);
    const out: Record<string, unknown> = { ...this.fields };
    if (this.gpu) {
      out.gpus = this.gpu.perNode ? this.gpu.count * (this.fields.nodes ?? 1) : this.gpu.count;
      if (this.gpu.perNode) out.gpusPerNode = this.gpu.count;
      if (this.gpu.type !== undefined) out.gpuType = this.gpu.type;
    }
    if (this.mem) out[this.mem.perCpu ? "memPerCpuMb" : "memMb"] = this.mem.mb;
    out.ignored = this.ignored;
    out.notes = this.notes;
    out.where = this.where;
    return out as unknown as SlurmRequest;
  }
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new ValueProblem(`expected a positive integer, got "${text}"`);
  return n;
}

/** "[type:]N", as --gpus and --gpus-per-node take it. */
function parseGpuCount(text: string): { count: number; type?: string } {
  const m = /^(?:([^:,]+):)?(\d+)$/.exec(text);
  if (!m) throw new ValueProblem(`expected a GPU count [type:]N such as 4 or a100:4, got "${text}"`);
  const count = positiveInteger(m[2]);
  return m[1] === undefined ? { count } : { count, type: m[1] };
}

/** --gres list "name[[:type]:count],...": gpu is the only generic resource modelled; its count is per node. */
function parseGres(text: string): { count: number; perNode: true; type?: string } | undefined {
  if (text.toLowerCase() === "none") return undefined; // sbatch's way to ask for no gres
  let gpu: { count: number; perNode: true; type?: string } | undefined;
  for (const item of text.split(",")) {
    const parts = item.split(":");
    if (parts[0] !== "gpu") {
      throw new ValueProblem(`expected only gpu generic resources (gpu[:type][:count]), got "${item}" (${parts[0] || "empty"} is not modelled)`);
    }
    // "gpu:a100" is a type with count 1, "gpu:2" a count, as Slurm reads them.
    const last = parts.length > 1 ? parts[parts.length - 1] : "1";
    const numeric = /^\d+$/.test(last);
    if (parts.length > 3 || (parts.length === 3 && !numeric) || parts.some((p) => p === "")) {
      throw new ValueProblem(`expected gpu[:type][:count], got "${item}"`);
    }
    const type = parts.length === 3 || (parts.length === 2 && !numeric) ? parts[1] : undefined;
    gpu = { count: numeric ? positiveInteger(last) : 1, perNode: true, ...(type === undefined ? {} : { type }) };
  }
  return gpu;
}

/**
 * Splits an #SBATCH line after the magic word as sbatch does: whitespace
 * separates, quotes group, a backslash escapes the next character, and an
 * unquoted "#" starts a comment.
 */
function splitDirective(text: string): string[] | { unclosed: string } {
  const tokens: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length) { cur = (cur ?? "") + text[++i]; continue; }
    if (quote) {
      if (ch === quote) quote = undefined; else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch; cur ??= "";
    } else if (ch === "#") {
      break;
    } else if (/\s/.test(ch)) {
      if (cur !== undefined) tokens.push(cur);
      cur = undefined;
    } else {
      cur = (cur ?? "") + ch;
    }
  }
  if (quote) return { unclosed: quote };
  if (cur !== undefined) tokens.push(cur);
  return tokens;
}

/**
 * Parses sbatch-style arguments, e.g. ["-N", "2", "--time=01:00:00"].
 * `source` names their origin in messages (default "command line").
 * @throws InputError with every unknown option and bad value found
 */
export function parseSlurmArgs(args: readonly string[], source = "command line"): SlurmRequest {
  const draft = new Draft(source);
  draft.parse(args);
  return draft.finish();
}

/**
 * Parses the #SBATCH directives of a batch script. As sbatch does, they are
 * read from the top until the first line that is neither blank nor a comment;
 * later ones are ignored, with a note each. A directive must start its line.
 * @throws InputError with every issue of the script (file, line, option)
 */
export function parseSbatchScript(text: string, file: string): SlurmRequest {
  const draft = new Draft(file);
  let header = true;
  let directives = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    const lineNo = i + 1;
    if (/^#SBATCH(\s|$)/.test(line)) {
      if (!header) { draft.notes.push(`${file}:${lineNo}: #SBATCH after the first command is ignored by sbatch`); continue; }
      directives++;
      const tokens = splitDirective(line.slice("#SBATCH".length));
      if (Array.isArray(tokens)) draft.parse(tokens, lineNo);
      else draft.issues.push({ code: "invalid_value", file, line: lineNo, path: "#SBATCH", message: `expected a closing ${tokens.unclosed} quote, got end of line` });
    } else if (header && /^\s+#SBATCH(\s|$)/.test(line)) {
      draft.notes.push(`${file}:${lineNo}: indented #SBATCH is ignored by sbatch (it must start the line)`);
    } else if (header && line.trim() !== "" && !line.trimStart().startsWith("#")) {
      header = false; // the first command: sbatch reads no directive after it
    }
  }
  if (directives === 0) draft.notes.push(`${file}: no #SBATCH line before its first command: only the options on the command line apply`);
  return { ...draft.finish(), script: { file, directives } };
}

/**
 * Reads a batch script and parses its #SBATCH directives.
 * @throws InputError: io_error when the file cannot be read, else as parseSbatchScript
 */
export async function readSbatchScript(path: string): Promise<SlurmRequest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new InputError([{ code: "io_error", file: path, message: `cannot read the file: ${detail}`, value: detail }]);
  }
  return parseSbatchScript(text, path);
}

/**
 * The script's request with the command line's options over it, as sbatch
 * applies them. GPU options override as one group, and so do --mem and
 * --mem-per-cpu; GPUs given per node (in the script or on the command line)
 * follow the merged node count.
 */
export function mergeSlurm(script: SlurmRequest, args: SlurmRequest): SlurmRequest {
  const pick = (r: SlurmRequest, keys: readonly (keyof SlurmRequest)[]) =>
    Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
  const plain: (keyof SlurmRequest)[] = ["nodes", "ntasks", "ntasksPerNode", "cpusPerTask", "timeS", "partition", "begin", "account", "jobName", "qos", "exclusive"];
  const gpuKeys: (keyof SlurmRequest)[] = ["gpus", "gpusPerNode", "gpuType"];
  const memKeys: (keyof SlurmRequest)[] = ["memMb", "memPerCpuMb"];
  const out: Record<string, unknown> = { ...pick(script, plain), ...pick(args, plain) };
  Object.assign(out, args.gpus !== undefined ? pick(args, gpuKeys) : pick(script, gpuKeys));
  // GPUs given per node (from either side) follow the merged node count.
  if (out.gpusPerNode !== undefined) out.gpus = (out.gpusPerNode as number) * ((out.nodes as number | undefined) ?? 1);
  Object.assign(out, args.memMb !== undefined || args.memPerCpuMb !== undefined ? pick(args, memKeys) : pick(script, memKeys));
  out.ignored = [...script.ignored, ...args.ignored];
  out.notes = [...script.notes, ...args.notes];
  // Each field's source follows the side it was taken from; the groups follow their group.
  const where: Partial<Record<SourcedField, SlurmSource>> = { ...script.where, ...args.where };
  where.gpus = args.gpus !== undefined ? args.where.gpus : script.where.gpus;
  where.mem = args.memMb !== undefined || args.memPerCpuMb !== undefined ? args.where.mem : script.where.mem;
  out.where = Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined));
  if (script.script) out.script = script.script;
  return out as unknown as SlurmRequest;
}

/**
 * Seconds in a Slurm time limit: "minutes", "minutes:seconds",
 * "hours:minutes:seconds", "days-hours", "days-hours:minutes" or
 * "days-hours:minutes:seconds". Fields are not range-checked, as in Slurm.
 * @throws RangeError for another format, for no limit (0, UNLIMITED, INFINITE)
 */
export function parseSlurmTime(text: string): number {
  const t = text.trim();
  if (/^(unlimited|infinite)$/i.test(t)) {
    throw new RangeError(`expected a finite time limit for an estimate, got "${text}"`);
  }
  let seconds: number;
  const withDays = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  const plain = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  if (withDays) {
    const [d, h, m, s] = withDays.slice(1).map((x) => Number(x ?? 0));
    seconds = ((d * 24 + h) * 60 + m) * 60 + s;
  } else if (plain) {
    const parts = plain.slice(1).filter((x) => x !== undefined).map(Number);
    // One field is minutes, two are minutes:seconds, three hours:minutes:seconds.
    seconds = parts.length === 1 ? parts[0] * 60 : parts.length === 2 ? parts[0] * 60 + parts[1] : (parts[0] * 60 + parts[1]) * 60 + parts[2];
  } else {
    throw new RangeError(`expected a time as minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds, got "${text}"`);
  }
  if (seconds === 0) throw new RangeError(`expected a time limit > 0 (0 means no limit in Slurm), got "${text}"`);
  return seconds;
}

/**
 * MB in a Slurm memory size: an integer with an optional suffix K, M, G or T
 * (powers of 1024, case-insensitive, optionally followed by "B"); MB by
 * default. K rounds up to whole MB, as Slurm does. 0 is kept (for --mem, all
 * the memory of the node).
 * @throws RangeError for another format
 */
export function parseSlurmMemory(text: string): number {
  const m = /^(\d+)(?:([KMGT])B?)?$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(n)) throw new RangeError(`expected a memory size such as 4000, 500M, 16G or 1T (default unit M), got "${text}"`);
  const unit = (m[2] ?? "M").toUpperCase();
  return unit === "K" ? Math.ceil(n / 1024) : unit === "M" ? n : unit === "G" ? n * 1024 : n * 1024 * 1024;
}

/**
 * Cores the request asks for: ntasks x cpus-per-task; or nodes x
 * ntasks-per-node x cpus-per-task; 1 task by default (one per node when only
 * nodes are given, as sbatch does). ntasks wins over ntasks-per-node, which
 * Slurm then takes as a maximum.
 */
export function requestedCores(r: SlurmRequest): number {
  const cpt = r.cpusPerTask ?? 1;
  if (r.ntasks !== undefined) return r.ntasks * cpt;
  return (r.nodes ?? 1) * (r.ntasksPerNode ?? 1) * cpt;
}

/**
 * The request as sbatch options again, e.g. ["--nodes=2", "--ntasks=64",
 * "--time=01:00:00"], in a stable order. Items are argv entries, not
 * shell-quoted. GPUs are given per node when the request has gpusPerNode.
 */
export function formatSlurmOptions(r: Partial<SlurmRequest>): string[] {
  const out: string[] = [];
  const add = (name: string, v: string | number | undefined) => { if (v !== undefined) out.push(`--${name}=${v}`); };
  add("nodes", r.nodes);
  add("ntasks", r.ntasks);
  add("ntasks-per-node", r.ntasksPerNode);
  add("cpus-per-task", r.cpusPerTask);
  const type = r.gpuType !== undefined ? `${r.gpuType}:` : "";
  if (r.gpusPerNode !== undefined) add("gpus-per-node", `${type}${r.gpusPerNode}`);
  else if (r.gpus !== undefined) add("gpus", `${type}${r.gpus}`);
  add("mem", r.memMb === undefined ? undefined : formatMemory(r.memMb));
  add("mem-per-cpu", r.memPerCpuMb === undefined ? undefined : formatMemory(r.memPerCpuMb));
  add("time", r.timeS === undefined ? undefined : formatSlurmTime(r.timeS));
  add("partition", r.partition);
  add("account", r.account);
  add("qos", r.qos);
  add("job-name", r.jobName);
  add("begin", r.begin);
  if (r.exclusive) out.push("--exclusive");
  return out;
}

/** MB in the largest unit that keeps it exact: 16384 -> "16G", 1000 -> "1000M". */
function formatMemory(mb: number): string {
  if (mb > 0 && mb % (1024 * 1024) === 0) return `${mb / (1024 * 1024)}T`;
  if (mb > 0 && mb % 1024 === 0) return `${mb / 1024}G`;
  return mb === 0 ? "0" : `${mb}M`;
}

/**
 * A time limit in Slurm's format: "D-HH:MM:SS" from one day on, else
 * "HH:MM:SS"; seconds are rounded up to whole seconds.
 * @throws RangeError unless seconds is finite and >= 0
 */
export function formatSlurmTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`expected seconds >= 0, got ${seconds}`);
  const total = Math.ceil(seconds);
  const d = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return d > 0 ? `${d}-${hms}` : hms;
}
