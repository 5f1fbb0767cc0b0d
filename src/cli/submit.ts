/**
 * `impactsim submit`: sbatch with the estimate's suggestion. The job is read
 * as `impactsim estimate` reads it (its parser and estimate, not a copy); the
 * suggestion's where and when (--partition, --constraint, --begin) are added
 * to the user's own options, except those the user set (command line or
 * #SBATCH lines: the user wins), and `sbatch --parsable` submits it.
 *
 * With --url the job is also handed to impactsim serve for charging: it is
 * submitted held, with `impactsim:project=P` in its comment, so the Slurm
 * bridge (impactsim bridge) sends it to the service, which places and
 * releases it and charges the project's ledger when it ends (the bridge only
 * manages held jobs; docs/serve.md). The project token is checked against the
 * service before anything is submitted.
 *
 * Errors: bad options exit 2 or 3 (as estimate's); no sbatch on PATH, sbatch
 * failing (its stderr shown) or the service refusing exit 1, without a stack.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { CommandModule } from "yargs";
import { InputError, UsageError } from "../core/index.js";
import { mergeSlurm, parseSlurmArgs, readSbatchScript, type SlurmRequest } from "../io/index.js";
import { estimateJobRequest } from "../run/index.js";
import { SlurmCli } from "../bridge/index.js";
import { readTokenFile, serviceClient } from "../serve/index.js";
import { applyClusterSnapshot, parseEstimateArgs, ESTIMATE_USAGE } from "./estimate.js";
import { EXIT } from "./exit.js";

export const SUBMIT_USAGE = `impactsim submit [sbatch options] script.sh [estimate options] [--url URL --project P] [--dry-run]

Submits a batch script with sbatch, adding the estimate's suggested --partition,
--constraint and --begin to your options; an option you set (on the command line or
in an #SBATCH line) is kept and the suggestion's is left out. Prints the Slurm job id,
what was chosen and why. The estimate runs at the current time (--at to change it),
or at a --cluster snapshot's time.

  --dry-run              print the sbatch command without running it
  --url URL              impactsim serve, for charging: the job is submitted held with
                         impactsim:project=P in its comment; impactsim bridge sends it to
                         the service, which places it, releases it and charges P when it ends
  --project P            the project charged (with --url; default: -A/--account)
  --token-file FILE      the project's token, first line (else IMPACTSIM_TOKEN)
  --token T              the project's token (visible to other users in ps: prefer a file)

Exit codes: 0 submitted (or printed), 1 sbatch missing or failing, or the service
refusing, 2 usage error, 3 invalid input.

The estimate's options, read as impactsim estimate reads them (its output options and
workflows aside):

${ESTIMATE_USAGE.slice(ESTIMATE_USAGE.indexOf("The job, as for sbatch"), ESTIMATE_USAGE.indexOf("Workflows:")).trimEnd()}
`;

const OWN_VALUE = new Set(["url", "project", "token", "token-file"]);

interface SubmitFlags {
  url?: string;
  project?: string;
  token?: string;
  tokenFile?: string;
  dryRun: boolean;
  rest: string[];
}

/** Takes submit's own options out; the rest is estimate's (sbatch options, script, estimate options). */
export function parseSubmitArgs(argv: readonly string[]): SubmitFlags {
  const f: SubmitFlags = { dryRun: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    if (m?.[1] === "dry-run") {
      if (m[2] !== undefined) throw new UsageError(`--dry-run: expected no value, got "${m[2]}"`);
      f.dryRun = true;
    } else if (m && OWN_VALUE.has(m[1])) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value === "") throw new UsageError(`--${m[1]}: expected a value, got none`);
      if (m[1] === "url") f.url = value.replace(/\/+$/, "");
      else if (m[1] === "project") f.project = value;
      else if (m[1] === "token") f.token = value;
      else f.tokenFile = value;
    } else f.rest.push(argv[i]);
  }
  return f;
}

/** The suggestion's option of that name (--name=value), or undefined. */
function suggested(options: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return options.find((o) => o.startsWith(prefix))?.slice(prefix.length);
}

/** Whether the user gave a constraint (read by the Slurm parser as an option without effect on estimates). */
const userConstraint = (r: SlurmRequest) => r.ignored.some((i) => /^(--constraint|-C)(=|$)/.test(i.option));

export interface SubmitPlan {
  /** sbatch's arguments after --parsable. */
  readonly args: readonly string[];
  /** What was added, and what was left to the user's own option. */
  readonly chosen: readonly string[];
  readonly why: string;
}

/**
 * The sbatch arguments: the user's options as given, then each suggested
 * option the user did not set, then the script (sbatch reads options up to
 * the script; #SBATCH lines give way to the command line, so the user's
 * script lines are checked through the merged request).
 */
export function planSubmission(user: readonly string[], script: string, request: SlurmRequest, suggestion: { readonly options: readonly string[]; readonly why: string } | null, held?: { project: string }): SubmitPlan {
  const added: string[] = [];
  const chosen: string[] = [];
  const consider = (name: string, userValue: string | undefined) => {
    const value = suggestion ? suggested(suggestion.options, name) : undefined;
    if (value === undefined) return;
    if (userValue !== undefined) chosen.push(`--${name}: yours (${userValue}), not the suggested ${value}`);
    else {
      added.push(`--${name}=${value}`);
      chosen.push(`--${name}=${value}: suggested`);
    }
  };
  consider("partition", request.partition);
  consider("constraint", userConstraint(request) ? "given" : undefined);
  consider("begin", request.begin);
  const charge = held ? ["--hold", `--comment=impactsim:project=${held.project}`] : [];
  return { args: [...user, ...added, ...charge, script], chosen, why: suggestion?.why ?? "no suggestion (no site could run it)" };
}

/** Quotes a word for a POSIX shell when it needs it. */
const shellWord = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** Whether a command is an executable on PATH. */
function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The token in a file, as serve reads its own (first line, 16 characters at least), errors naming --token-file. */
function tokenFrom(path: string): string {
  try {
    return readTokenFile(path);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.issues.map((i) => ({ ...i, file: "--token-file" })));
    throw err;
  }
}

/** A failure outside the user's input (sbatch, the service): exit 1 with this message, no stack. */
export class SubmitFailure extends Error {}

export interface SubmitIo {
  readonly write: (s: string) => void;
  /** Now, epoch ms (the estimate's submission time when --at is not given). */
  readonly now?: () => number;
}

/** Runs `impactsim submit`. @throws InputError, UsageError (bad options), SubmitFailure (sbatch, the service) */
export async function runSubmit(argv: readonly string[], io: SubmitIo = { write: (s) => process.stdout.write(s) }): Promise<number> {
  const s = parseSubmitArgs(argv);
  const f = parseEstimateArgs(s.rest);
  if (f.help) {
    io.write(SUBMIT_USAGE);
    return EXIT.ok;
  }
  // estimate's output options have no meaning here: refused rather than dropped silently.
  const output = s.rest.find((w) => /^--(json|sbatch|top)(=|$)/.test(w));
  if (output !== undefined) throw new UsageError(`${output.replace(/=.*$/, "")}: an output option of impactsim estimate, not of submit (--dry-run prints the command)`);
  if (f.workflow) throw new UsageError("--workflow: submit takes one batch script; estimate a workflow with impactsim estimate --workflow");
  if (!f.script) throw new UsageError(`expected a batch script as the last word (as for sbatch), got ${f.slurm.length ? f.slurm.join(" ") : "none"}`);
  if (s.url === undefined && (s.project ?? s.token ?? s.tokenFile) !== undefined) throw new UsageError("--project, --token and --token-file go with --url (the service that charges the job)");
  const args = parseSlurmArgs(f.slurm);
  const request = mergeSlurm(await readSbatchScript(f.script), args);
  let project: string | undefined;
  let token: string | undefined;
  if (s.url !== undefined) {
    project = s.project ?? request.account;
    if (!project) throw new UsageError("--url: expected the project charged: --project P or -A/--account");
    if (!/^[A-Za-z0-9_.@:+-]{1,128}$/.test(project)) throw new UsageError(`--project: expected letters, digits and _.@:+- (at most 128), got ${JSON.stringify(project)}`);
    // The bridge reads the project from the comment; a comment of the user's own would hide it.
    if (request.ignored.some((i) => /^--comment(=|$)/.test(i.option))) throw new UsageError("--comment: with --url the comment carries impactsim:project=P for the bridge; drop your --comment");
    token = s.tokenFile !== undefined ? tokenFrom(s.tokenFile) : (s.token ?? process.env.IMPACTSIM_TOKEN);
    if (!token) throw new UsageError("--url: expected the project's token: --token-file FILE, --token T or IMPACTSIM_TOKEN");
  }
  await applyClusterSnapshot(f);
  // A real submission happens now: the estimate's default (the scenario's start) is for what-ifs.
  if (f.inputs.at === undefined) f.inputs.at = new Date(io.now?.() ?? Date.now()).toISOString();
  const r = await estimateJobRequest({ ...f.inputs, request, runtime_s: f.runtime_s, runtimeRange_s: f.runtimeRange_s, profile: f.profile, history: f.history, user: f.user, cpuUsage: f.cpuUsage });
  const plan = planSubmission(f.slurm, f.script, request, r.suggestion, project !== undefined ? { project } : undefined);
  const command = ["sbatch", "--parsable", ...plan.args];
  const explain = `chosen:\n${plan.chosen.map((c) => `  ${c}`).join("\n") || "  nothing added"}\nwhy: ${plan.why}\n`;
  if (s.dryRun) {
    io.write(`${command.map(shellWord).join(" ")}\n${explain}`);
    return EXIT.ok;
  }
  if (s.url !== undefined) {
    // Checked before submitting: a wrong token or project must not leave a held job behind.
    const service = serviceClient({ url: s.url, token: token!, retryMs: 2_000 });
    try {
      await service("GET", `/v1/projects/${encodeURIComponent(project!)}/balance`);
    } catch (err) {
      throw new SubmitFailure(`the service at ${s.url} refused project ${project}'s token or could not be reached: ${(err as Error).message}`);
    }
  }
  if (!onPath("sbatch")) throw new SubmitFailure("sbatch: not found on PATH (is Slurm's client installed here? --dry-run prints the command without running it)");
  let id: number;
  try {
    id = await new SlurmCli().sbatch(plan.args);
  } catch (err) {
    throw new SubmitFailure(`sbatch failed: ${(err as Error).message}`);
  }
  io.write(`submitted Slurm job ${id}: ${command.map(shellWord).join(" ")}\n${explain}`);
  if (project !== undefined) io.write(`held for impactsim bridge: the service at ${s.url} places it, releases it and charges project ${project} when it ends\n`);
  return EXIT.ok;
}

/**
 * The yargs command: sbatch's options are sbatch's, so yargs passes every
 * word through untouched and runSubmit reads them (as estimate does).
 */
export const submitCommand: CommandModule<object, { _: (string | number)[]; help?: boolean }> = {
  command: "submit",
  describe: "Submit a batch script with sbatch and the estimate's suggested partition, constraint and begin (your options win); --url: charged by impactsim serve when it ends; see impactsim submit --help",
  builder: (y) => y.parserConfiguration({ "unknown-options-as-args": true, "parse-positional-numbers": false }).strict(false).help(false).version(false),
  handler: async (a) => {
    // Every word after "submit", as given (yargs keeps unknown options as words, and takes -h/--help as its own).
    const words = [...(a.help ? ["--help"] : []), ...a._.slice(1).map(String)];
    try {
      process.exitCode = await runSubmit(words);
    } catch (err) {
      if (!(err instanceof SubmitFailure)) throw err;
      process.stderr.write(`impactsim: ${err.message}\n`);
      process.exitCode = EXIT.failure;
    }
  },
};

