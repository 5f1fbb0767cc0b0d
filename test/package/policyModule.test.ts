/**
 * A user's own policy through runScenario and `impactsim run`: a Policy object
 * (RunOptions.policy), a scenario's `policy.module` (relative to the scenario
 * file), `overrides.policyModule` / `--policy-module`; bad modules are input
 * errors naming the file (exit 3), never stack traces.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError, formatIssue } from "../../src/core/errors.js";
import { shippedPath } from "../../src/io/paths.js";
import type { Policy } from "../../src/planner/index.js";
import { choosePolicy, loadPolicyModule } from "../../src/run/policyModule.js";
import { runScenario, type RunOptions } from "../../src/run/runScenario.js";
import { bundleCli, stackLines, type Cli } from "../helpers/cli.js";

let dir: string;
let count = 0;

/** A policy module: first fit in queue order, named after its file; `params.refuse` makes the factory throw. */
const FIRST_FIT = `export default function firstFit(params) {
  if (params.refuse) throw new RangeError("unknown parameter refuse");
  return {
    name: "first-fit-module",
    version: "3",
    params,
    decide(view) {
      const free = view.pools.map((p) => p.freeNodes);
      const out = [];
      for (const job of view.queue) {
        const pool = view.pools.findIndex((p, i) => Math.ceil(job.cores / p.coresPerNode) <= free[i]);
        if (pool < 0) continue;
        free[pool] -= Math.ceil(job.cores / view.pools[pool].coresPerNode);
        out.push({ kind: "start", jobId: job.id, pool });
      }
      return out;
    },
  };
}
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A scenario of the hand-written SWF fixture on the two-site platform, with the given policy. */
function scenario(policy: Record<string, unknown>): string {
  return file(
    `scenario-${++count}.json`,
    JSON.stringify({
      name: "policy-module",
      platform: shippedPath("platforms/two-site-eu.json"),
      workload: { file: shippedPath("test/fixtures/swf/good.swf"), format: "swf", mode: "lenient", start: "2020-01-01T00:00:00+01:00" },
      policy,
      seed: 1,
      output: { dir: "out" },
    }),
  );
}

async function summaryOf(opts: RunOptions) {
  const { summary } = await runScenario({ ...opts, overrides: { ...opts.overrides, out: join(dir, `out-${++count}`), summaryOnly: true } });
  return summary;
}

/** The issues of the InputError a promise rejects with, formatted, with the temporary folder as "DIR". */
async function issuesOf(p: Promise<unknown>): Promise<string[]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).issues.map((i) => formatIssue(i).split(dir).join("DIR"));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "impactsim-policy-module-"));
  file("first-fit.mjs", FIRST_FIT);
  file("syntax.mjs", "export default (\n");
  file("missing-dependency.mjs", 'import "no-such-package-anywhere";\nexport default () => ({});\n');
  file("named-only.mjs", "export const policy = {};\n");
  file("not-a-function.mjs", "export default { name: 'x' };\n");
  file("half.mjs", "export default () => ({ name: 'half', decide: 1 });\n");
  file("policy.json", "{}");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runScenario with a policy of the user's own", () => {
  it("runScenario runs a Policy object given as RunOptions.policy, with its name, version and params in provenance", async () => {
    let calls = 0;
    const policy: Policy = {
      name: "mine",
      version: "7",
      params: { k: 1 },
      decide(view) {
        calls++;
        return view.queue.length > 0 && view.pools[0].freeNodes >= Math.ceil(view.queue[0].cores / view.pools[0].coresPerNode) ? [{ kind: "start", jobId: view.queue[0].id, pool: 0 }] : [];
      },
    };
    const s = await summaryOf({ scenario: scenario({ name: "easy" }), policy });
    expect(calls).toBeGreaterThan(0);
    expect(s.provenance.policy).toEqual({ name: "mine", version: "7", params: { k: 1 } });
    expect(s.jobs).toBeGreaterThan(0);
    expect(s.impacts.CC.total).toBeGreaterThan(0);
  });

  it("a scenario's policy.module is found from the scenario file and gets the scenario's params; the module is an input with its hash", async () => {
    const s = await summaryOf({ scenario: scenario({ module: "./first-fit.mjs", params: { note: "from the scenario" } }) });
    expect(s.provenance.policy).toEqual({ name: "first-fit-module", version: "3", params: { note: "from the scenario" } });
    expect(s.provenance.inputs.map((i) => i.path)).toContain(relative(process.cwd(), join(dir, "first-fit.mjs")));
    expect(s.jobs).toBeGreaterThan(0);
  });

  it("overrides.policyModule replaces the scenario's policy, with overrides.policyParams or no params; overrides.policy replaces a scenario's module", async () => {
    const module = join(dir, "first-fit.mjs");
    const withParams = await summaryOf({ scenario: scenario({ name: "easy", params: {} }), overrides: { policyModule: module, policyParams: { a: 1 } } });
    expect(withParams.provenance.policy).toMatchObject({ name: "first-fit-module", params: { a: 1 } });
    const other = await summaryOf({ scenario: scenario({ name: "heft", params: { impact_weight: 1 } }), overrides: { policyModule: module } });
    expect(other.provenance.policy.params).toEqual({});
    const same = await summaryOf({ scenario: scenario({ module: "first-fit.mjs", params: { b: 2 } }), overrides: { policyModule: module } });
    expect(same.provenance.policy.params).toEqual({ b: 2 });
    const named = await summaryOf({ scenario: scenario({ module: "first-fit.mjs", params: { b: 2 } }), overrides: { policy: "fcfs" } });
    expect(named.provenance.policy).toMatchObject({ name: "fcfs", params: {} });
  });

  it("a TypeScript policy module is loaded through tsx, and a CommonJS one through Node", async () => {
    file(
      "typed.ts",
      `interface Params { readonly limit?: number }
export default function (params: Params) {
  const limit: number = params.limit ?? 1;
  return { name: "typed", version: "1", params: { limit }, decide: () => [] as const };
}
`,
    );
    file("common.cjs", `module.exports = (params) => ({ name: "common", version: "1", params, decide: () => [] });\n`);
    const sc = scenario({ name: "easy" });
    const loaded = await choosePolicy(JSON.parse(readFileSync(sc, "utf8")), sc, { module: join(dir, "typed.ts"), params: { limit: 4 } });
    expect([loaded.policy.name, loaded.policy.params]).toEqual(["typed", { limit: 4 }]);
    expect((await loadPolicyModule(join(dir, "common.cjs"), { x: 1 })).name).toBe("common");
  });
});

describe("bad policies are input errors naming the file", () => {
  it("loadPolicyModule refuses a missing file, a folder, a file that is not a module, one that does not load, one without a factory, a factory that throws and one returning no Policy", async () => {
    const load = (name: string, params = {}) => issuesOf(loadPolicyModule(join(dir, name), params, "parameters given"));
    expect(await load("absent.mjs")).toEqual(["DIR/absent.mjs: cannot read the policy module: no such file"]);
    expect(await issuesOf(loadPolicyModule(dir, {}))).toEqual(["DIR: cannot read the policy module: it is a directory, not a file"]);
    expect(await load("policy.json")).toEqual(['DIR/policy.json: expected a JavaScript or TypeScript module (.js, .mjs, .cjs, .ts, .mts, .cts), got a file ending in ".json"']);
    // Under vitest, modules load through Vite, whose message differs from Node's (the CLI test below has Node's).
    expect(await load("syntax.mjs")).toEqual([expect.stringMatching(/^DIR\/syntax\.mjs: expected a module Node can load, got an error while loading it: \w*Error: /)]);
    expect(await load("missing-dependency.mjs")).toEqual([expect.stringMatching(/^DIR\/missing-dependency\.mjs: expected a module Node can load, got an error while loading it: .*no-such-package-anywhere/)]);
    expect(await load("named-only.mjs")).toEqual(["DIR/named-only.mjs: expected a default export that is a policy factory, a function (params) => Policy, got no default export (it exports policy)"]);
    expect(await load("not-a-function.mjs")).toEqual(["DIR/not-a-function.mjs: expected a default export that is a policy factory, a function (params) => Policy, got a default export that is an object with name"]);
    expect(await load("first-fit.mjs", { refuse: true })).toEqual(['DIR/first-fit.mjs: factory(params): refused the parameters given {"refuse":true}: RangeError: unknown parameter refuse']);
    expect(await load("half.mjs")).toEqual([
      "DIR/half.mjs: factory(params).version: expected a string, got nothing",
      "DIR/half.mjs: factory(params).params: expected an object (the parameters, {} when none; they go into the run's provenance), got nothing",
      "DIR/half.mjs: factory(params).decide: expected a function (view, happened, state) => decisions, got number 1",
    ]);
  });

  it("a scenario names exactly one of policy.name and policy.module; a Policy object comes without policy overrides and must be a Policy", async () => {
    expect(await issuesOf(runScenario({ scenario: scenario({ name: "easy", module: "first-fit.mjs" }) }))).toEqual([
      expect.stringMatching(/: policy: expected exactly one of name \(a built-in policy\) and module \(a policy module file, relative to the scenario file\), got an object$/),
    ]);
    expect(await issuesOf(runScenario({ scenario: scenario({ params: {} }) }))).toHaveLength(1);
    const sc = scenario({ name: "easy" });
    expect(await issuesOf(runScenario({ scenario: sc, policy: { name: "x", version: "1", params: {}, decide: () => [] }, overrides: { policy: "fcfs" } }))).toEqual([
      "RunOptions.policy: expected either a Policy object or overrides.policy, got both",
    ]);
    expect(await issuesOf(runScenario({ scenario: sc, overrides: { policy: "fcfs", policyModule: "first-fit.mjs" } }))).toEqual(["--policy-module: expected either --policy or --policy-module, got both (--policy fcfs)"]);
    expect(await issuesOf(runScenario({ scenario: sc, policy: { name: "", version: "1", decide: () => [] } as unknown as Policy }))).toEqual([
      'RunOptions.policy: name: expected a non-empty string, got the string ""',
      "RunOptions.policy: params: expected an object (the parameters, {} when none; they go into the run's provenance), got nothing",
    ]);
  });
});

describe("impactsim run --policy-module", () => {
  let cli: Cli;
  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => cli?.dispose());

  it("impactsim run --policy-module FILE --policy-params JSON runs the module's policy; bad modules exit 3 naming the file, without a stack trace", () => {
    const sc = scenario({ name: "easy" });
    const ok = cli.run(["run", sc, "--policy-module", "first-fit.mjs", "--policy-params", '{"n":1}', "--out", "out-cli", "--summary-only", "--quiet"], { cwd: dir });
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const bad = cli.run(["run", sc, "--policy-module", "first-fit.mjs", "--policy-params", '{"refuse":true}', "--out", "out-cli", "--quiet"], { cwd: dir });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('first-fit.mjs: factory(params): refused the parameters given {"refuse":true}: RangeError: unknown parameter refuse');
    const syntax = cli.run(["run", sc, "--policy-module", "syntax.mjs", "--out", "out-cli", "--quiet"], { cwd: dir });
    expect(syntax.status).toBe(3);
    expect(syntax.stderr).toMatch(/syntax\.mjs: expected a module Node can load, got an error while loading it: SyntaxError: /);
    for (const r of [bad, syntax]) expect(stackLines(r.stderr)).toEqual([]);
    const params = cli.run(["run", sc, "--policy-module", "first-fit.mjs", "--policy-params", "[1]", "--quiet"], { cwd: dir });
    expect([params.status, params.stderr]).toEqual([3, "impactsim: invalid input:\n--policy-params: expected a JSON object, got [1]\n"]);
  });

  it("impactsim run with both --policy and --policy-module is a usage error (exit 2)", () => {
    const r = cli.run(["run", "--policy", "easy", "--policy-module", "first-fit.mjs", "--quiet"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mutually exclusive/);
  });
});
