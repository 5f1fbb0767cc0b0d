/**
 * impactsim submit (issue 14) with a fake sbatch on PATH that records its
 * arguments: the exact command line, the suggestion's options added only
 * where the user set none (command line or #SBATCH line), --dry-run running
 * nothing, --url submitting held for the bridge after the service accepted
 * the token, and the errors (no sbatch, sbatch failing, bad options). The
 * reference for "the suggestion" is `impactsim estimate --sbatch` on the same
 * job and time, the estimate command's own output.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InputError, UsageError } from "../../../src/core/index.js";
import { parseSlurmArgs } from "../../../src/io/index.js";
import { runEstimate } from "../../../src/cli/estimate.js";
import { planSubmission, runSubmit, submitCommand, SubmitFailure } from "../../../src/cli/submit.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-submit-"));
const bin = join(dir, "bin");
const record = join(dir, "sbatch.args");
const script = join(dir, "job.sh");
// A time and preference (impact only) at which the bundled scenario's estimate holds a 4-core job for a cleaner window (so --begin is suggested).
const AT = "2020-03-02T12:00:00Z";
const WHEN = ["--at", AT, "--preference", "1"];
const PATH0 = process.env.PATH;
let suggestion: string[] = [];

function fakeSbatch(body: string): void {
  writeFileSync(join(bin, "sbatch"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n${body}\n`);
  chmodSync(join(bin, "sbatch"), 0o755);
}
const recorded = () => readFileSync(record, "utf8").split("\n").slice(0, -1);
const option = (name: string) => suggestion.find((o) => o.startsWith(`--${name}=`))!;

/** The options `impactsim estimate --sbatch` suggests for the script with these sbatch options. */
async function reference(options: string[]): Promise<string[]> {
  let out = "";
  await runEstimate([...options, script, ...WHEN, "--sbatch"], (s) => (out += s));
  return out.trim().split(" ");
}

async function submit(argv: string[]): Promise<string> {
  let out = "";
  const code = await runSubmit(argv, { write: (s) => (out += s) });
  expect(code).toBe(0);
  return out;
}

beforeAll(async () => {
  // bin/ holds only the fake sbatch, put first on PATH; the rest of PATH stays for sh.
  mkdirSync(bin);
  writeFileSync(script, "#!/bin/sh\n#SBATCH -n 4\n#SBATCH -t 2:00:00\nhostname\n");
  suggestion = await reference([]);
  process.env.PATH = `${bin}:${PATH0}`;
});
afterEach(() => rmSync(record, { force: true }));
afterAll(() => {
  process.env.PATH = PATH0;
  rmSync(dir, { recursive: true, force: true });
});

describe("impactsim submit with a fake sbatch", () => {
  it("the reference suggestion moves the job and holds it (so both are exercised)", () => {
    expect(option("partition")).toMatch(/^--partition=\w+$/);
    expect(option("begin")).toMatch(/^--begin=now\+\d+$/);
  });

  it("runs sbatch --parsable with the user's options, then the suggested partition and begin, then the script", async () => {
    fakeSbatch('echo "4242;ci"');
    const out = await submit(["-J", "my job", script, ...WHEN]);
    expect(recorded()).toEqual(["--parsable", "-J", "my job", option("partition"), option("begin"), script]);
    expect(out).toContain("submitted Slurm job 4242: sbatch --parsable -J 'my job' ");
    expect(out).toContain(`${option("partition")}: suggested`);
    expect(out).toMatch(/why: the best of \d+ options: held/);
  });

  it("the user's --partition on the command line wins; the begin suggested within it is still added", async () => {
    fakeSbatch("echo 7");
    const out = await submit(["-p", "fr", script, ...WHEN]);
    // The estimate keeps to the user's partition, so its begin is the one estimate suggests there.
    const there = (await reference(["-p", "fr"])).filter((o) => o.startsWith("--begin="));
    expect(there).toHaveLength(1);
    expect(recorded()).toEqual(["--parsable", "-p", "fr", ...there, script]);
    expect(out).toContain("--partition: yours (fr), not the suggested");
  });

  it("a --begin in the script's #SBATCH lines wins too", async () => {
    const own = join(dir, "own.sh");
    writeFileSync(own, "#!/bin/sh\n#SBATCH -n 4\n#SBATCH -t 2:00:00\n#SBATCH --begin=now+60\nhostname\n");
    fakeSbatch("echo 8");
    await submit([own, ...WHEN]);
    const args = recorded();
    expect(args.filter((a) => a.startsWith("--begin"))).toEqual([]);
    expect(args[args.length - 1]).toBe(own);
  });

  it("--dry-run prints the command and runs nothing", async () => {
    fakeSbatch("echo 9");
    const out = await submit([script, ...WHEN, "--dry-run"]);
    expect(out.split("\n")[0]).toBe(`sbatch --parsable ${option("partition")} ${option("begin")} ${script}`);
    expect(existsSync(record)).toBe(false);
  });

  it("a --constraint of the user's, given as -C, keeps the suggested one out (hand-made suggestion)", () => {
    const req = parseSlurmArgs(["-C", "skylake", "-n", "2"]);
    const plan = planSubmission(["-C", "skylake", "-n", "2"], "j.sh", req, { options: ["--partition=a", "--constraint=icelake", "--nodes=1"], why: "w" });
    expect(plan.args).toEqual(["-C", "skylake", "-n", "2", "--partition=a", "j.sh"]);
    const free = planSubmission([], "j.sh", parseSlurmArgs([]), { options: ["--partition=a", "--constraint=icelake", "--begin=now+60"], why: "w" }, { project: "chem" });
    expect(free.args).toEqual(["--partition=a", "--constraint=icelake", "--begin=now+60", "--hold", "--comment=impactsim:project=chem", "j.sh"]);
  });

  it("no sbatch on PATH, and sbatch failing, are failures naming the cause", async () => {
    process.env.PATH = join(dir, "nothing-here");
    await expect(runSubmit([script, ...WHEN], { write: () => {} })).rejects.toThrow(new SubmitFailure("sbatch: not found on PATH (is Slurm's client installed here? --dry-run prints the command without running it)"));
    process.env.PATH = `${bin}:${PATH0}`;
    fakeSbatch("echo 'sbatch: error: invalid partition specified: fr' >&2\nexit 1");
    await expect(runSubmit(["-p", "fr", script, ...WHEN], { write: () => {} })).rejects.toThrow(/^sbatch failed: sbatch --parsable -p fr .*: sbatch: error: invalid partition specified: fr$/);
  });

  it("bad options are usage or input errors", async () => {
    const run = (argv: string[]) => runSubmit(argv, { write: () => {} });
    await expect(run(["-n", "4"])).rejects.toThrow(new UsageError("expected a batch script as the last word (as for sbatch), got -n 4"));
    await expect(run([script, "--project", "p"])).rejects.toThrow(UsageError);
    await expect(run([script, "--url", "http://127.0.0.1:9"])).rejects.toThrow(/expected the project charged/);
    await expect(run([script, "--preference", "2"])).rejects.toThrow(InputError);
    await expect(run([script, "--workflow", "wf.json"])).rejects.toThrow(UsageError);
    await expect(run([script, "--json"])).rejects.toThrow(new UsageError("--json: an output option of impactsim estimate, not of submit (--dry-run prints the command)"));
    await expect(run([script, "--top=3"])).rejects.toThrow(/^--top: an output option/);
  });

  it("as a yargs command: every word reaches submit; a failure exits 1 with one line, no stack", async () => {
    fakeSbatch("echo 'sbatch: error: Batch job submission failed' >&2\nexit 1");
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (stderr.push(s), true)) as typeof process.stderr.write;
    try {
      await yargs(["submit", "-n", "2", "-t", "10", script, ...WHEN]).command(submitCommand).strict().help().parseAsync();
    } finally {
      process.stderr.write = write;
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(recorded().slice(0, 5)).toEqual(["--parsable", "-n", "2", "-t", "10"]);
    expect(stderr.join("")).toMatch(/^impactsim: sbatch failed: .*Batch job submission failed\n$/);
  });
});

describe("impactsim submit --url", () => {
  let server: Server;
  let url = "";
  const seen: { path: string; auth: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? "", auth: req.headers.authorization ?? "" });
      const ok = req.headers.authorization === "Bearer good-token-0123456789";
      res.writeHead(ok ? 200 : 403, { "content-type": "application/json" });
      res.end(ok ? JSON.stringify({ project: "chem", left: 10 }) : JSON.stringify({ error: { code: "forbidden", message: "another project's token" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("checks the token, then submits held with the project in the comment for the bridge", async () => {
    fakeSbatch("echo 51");
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "good-token-0123456789\n");
    const out = await submit(["-A", "chem", script, ...WHEN, "--url", url, "--token-file", tokenFile]);
    expect(seen.at(-1)).toEqual({ path: "/v1/projects/chem/balance", auth: "Bearer good-token-0123456789" });
    expect(recorded()).toEqual(["--parsable", "-A", "chem", option("partition"), option("begin"), "--hold", "--comment=impactsim:project=chem", script]);
    expect(out).toContain(`charges project chem when it ends`);
  });

  it("a token the service refuses submits nothing", async () => {
    fakeSbatch("echo 52");
    await expect(runSubmit([script, ...WHEN, "--url", url, "--project", "chem", "--token", "bad-token-0123456789"], { write: () => {} })).rejects.toThrow(/refused project chem's token .* 403/);
    expect(existsSync(record)).toBe(false);
  });
});
