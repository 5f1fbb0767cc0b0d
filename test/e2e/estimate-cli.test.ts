/**
 * `impactsim estimate` as a user runs it: a batch script, options overriding
 * it, --json, --sbatch, the help, and errors naming the file, line and option
 * (exit 2 for options it does not understand, 3 for bad values).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hms } from "../../src/cli/estimate.js";
import { bundleCli, type Cli } from "../helpers/cli.js";

// The CLI bundled once for the file: a spawn through tsx compiles the sources again in every child.
let bundle: Cli | undefined;
beforeAll(async () => {
  bundle = await bundleCli();
});
afterAll(() => bundle?.dispose());
const cli = (...args: string[]) => bundle!.run(["estimate", ...args]);
const AT = ["--at", "2020-03-02T09:00:00+01:00"];
const tmp = mkdtempSync(join(tmpdir(), "impactsim-estimate-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("impactsim estimate", () => {
  it("--help exits 0 with the options it reads", () => {
    const r = cli("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/impactsim estimate \[sbatch options\] \[script\.sh\]/);
    expect(r.stdout).toMatch(/--history FILE\.swf/);
  });

  it("a batch script: its #SBATCH lines before the first command are read, a ranked table and a suggestion printed", () => {
    const r = cli(...AT, "--window", "2:00:00", "test/fixtures/slurm/job.sh");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // 64 tasks on at least 2 nodes, the script's 2 h (not the late 9 h line).
    expect(r.stdout).toMatch(/^estimate of 64 cores, --time 02:00:00 on two-site-eu \(scenario default\), submitted 2020-03-02 08:00 UTC, idle platform/);
    expect(r.stdout).toMatch(/^#\s+site\s+node type\s+device\s+nodes\s+start \(UTC\)/m);
    expect(r.stdout).toMatch(/^1\s+(fr|de)\s+dell-r6[24]0\s+cpu/m);
    expect(r.stdout).toMatch(/^suggested: sbatch --partition=(fr|de) --nodes=\d+ --ntasks=64 --time=02:00:00/m);
    expect(r.stdout).toMatch(/--output=lbm-%j\.out \(test\/fixtures\/slurm\/job\.sh:6\) has no effect on an estimate/);
    expect(r.stdout).toMatch(/#SBATCH after the first command is ignored by sbatch/);
  });

  it("command-line options override the script's (as sbatch), and --sbatch prints only the suggested options", () => {
    const r = cli(...AT, "--window", "0", "--sbatch", "-t", "30", "-p", "de", "-N", "4", "test/fixtures/slurm/job.sh");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("--partition=de --nodes=4 --ntasks=64 --time=00:30:00 --job-name=lbm");
  });

  it("a job that needs more nodes than --nodes gives it is refused, as sbatch would, saying why", () => {
    // The script's 64 tasks on 2 nodes fit the 56-core R640s only in 2 nodes, not the 16-core R620s.
    const r = cli(...AT, "--window", "0", "-p", "de", "test/fixtures/slurm/job.sh");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/expected a pool that can hold 64 cores on 2 nodes in partition de, got none \(dell-r620 at de left out: 64 cores need at least 4 of its nodes, more than the 2 asked\)/);
  });

  it("the suggestion keeps the user's --begin when starting then is best", () => {
    const r = cli(...AT, "--window", "0", "--sbatch", "-n", "8", "-t", "1:00:00", "--begin=now+2hours", "-A", "proj1");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^--partition=(fr|de) --nodes=1 --ntasks=8 --time=01:00:00 --account=proj1 --begin=now\+2hours$/);
  });

  it("--json gives every estimate with impacts by phase and category", () => {
    const r = cli(...AT, "--window", "1:00:00", "--json", "-n", "8", "-t", "1:00:00");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { estimates: { site: string; impacts: Record<string, Record<string, number>>; range: { impacts_high: Record<string, Record<string, number>> } }[]; calibration: { source: string } };
    expect(j.calibration.source).toBe("walltime");
    expect(j.estimates).toHaveLength(4);
    const e = j.estimates[0];
    expect(Object.keys(e.impacts)).toEqual(["fabrication", "transport", "use", "endOfLife"]);
    // The 16 EF categories, ENERGY_J and PE (primary energy, MJ).
    expect(Object.keys(e.impacts.use)).toHaveLength(18);
    expect(e.impacts.use.CC).toBeGreaterThan(0);
    expect(e.range.impacts_high.use.CC).toBeGreaterThanOrEqual(e.impacts.use.CC);
  });

  it("a workflow: placements ranked, with makespan and data moved", () => {
    const r = cli("--workflow", "traces/workflows/helloworld-chain-5-chameleon.json", "--scenario", "scenarios/workflow-continuum.json", "--at", "3600");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^estimate of workflow .* \(5 tasks, inputs at fr\)/);
    expect(r.stdout).toMatch(/placement\s+tasks per site\s+makespan h:mm:ss/);
  });

  it("--cluster estimates on a live cluster's state: its running jobs and queue delay the start (hand-worked)", () => {
    // At 09:00+01:00 the 4 R640 are busy (one until 09:30, three until 11:00); 2 R620 are free, 10 busy, 4 off.
    const r = cli("--cluster", "test/fixtures/snapshot/two-site-busy.json", "-n", "32", "-t", "1:00:00", "--window", "0");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/submitted 2020-03-02 08:00 UTC, live cluster state \(3 running, 1 queued\)/);
    // On fr its one node frees at 09:30+01:00 (08:30 UTC); on de 2 free nodes take it at once, before the queued job's reservation.
    expect(r.stdout).toMatch(/^\d\s+fr\s+dell-r640\s+cpu\s+1\s+2020-03-02 08:30\s+0:30:00/m);
    expect(r.stdout).toMatch(/^\d\s+de\s+dell-r620\s+cpu\s+2\s+2020-03-02 08:00\s+0:00:00/m);
  });

  it("durations print as h:mm:ss, days as d-hh:mm:ss", () => {
    expect(hms(20)).toBe("0:00:20");
    expect(hms(501)).toBe("0:08:21");
    expect(hms(3599.6)).toBe("1:00:00");
    expect(hms(4 * 3600)).toBe("4:00:00");
    expect(hms(93784)).toBe("1-02:03:04");
  });

  /** Rows of the printed table as cells (columns are two or more spaces apart), by header name. */
  function rowsOf(stdout: string): Record<string, string>[] {
    const lines = stdout.split("\n");
    const h = lines.findIndex((l) => l.startsWith("#  "));
    const head = lines[h].split(/\s{2,}/);
    const rows: Record<string, string>[] = [];
    for (const l of lines.slice(h + 1)) {
      if (!/^\d+\s/.test(l)) break;
      const cells = l.split(/\s{2,}/);
      rows.push(Object.fromEntries(head.map((k, i) => [k, cells[i]])));
    }
    return rows;
  }
  const lead = (cell: string) => Number(cell.replace(/^<=/, "").replace(/^x/, "").split(" ")[0]);
  const hours = (cell: string) => {
    const [h, m, sec] = cell.split(" ")[0].split(":").map(Number);
    return h + m / 60 + sec / 3600;
  };

  it("a job's power is on the facility side, as its energy: power x run time = energy (it was IT power, below energy / time)", () => {
    const r = cli(...AT, "-n", "32", "-t", "4:00:00", "--window", "2:00:00");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/energy and power: facility side \(IT x the site's PUE\)/);
    const rows = rowsOf(r.stdout);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // Three significant digits each way: within 1 %.
      expect(lead(row["power kW"]) * hours(row["run h:mm:ss"])).toBeCloseTo(lead(row["energy kWh"]), 1);
      expect(Math.abs(lead(row["power kW"]) * hours(row["run h:mm:ss"]) / lead(row["energy kWh"]) - 1)).toBeLessThan(0.01);
    }
  });

  it("a workflow of seconds reads in seconds, peak >= mean, and the rank follows the stated cost", () => {
    // Montage on the continuum platform at day 1: every placement ends within a minute; on fr alone it has the least impact.
    const r = cli("--workflow", "traces/workflows/montage-chameleon-2mass-005d-001.json", "--scenario", "scenarios/workflow-continuum.json", "--at", "86400");
    expect(r.status).toBe(0);
    const rows = rowsOf(r.stdout);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row["makespan h:mm:ss"]).toMatch(/^0:00:[0-5]\d/);
      expect(row["makespan h:mm:ss"]).not.toMatch(/^0:00:00/);
      expect(lead(row["peak kW"])).toBeGreaterThanOrEqual(lead(row["mean kW"]));
      // The printed cost is the stated combination of the printed ratios (preference 0.5).
      expect(lead(row.cost)).toBeCloseTo(0.5 * lead(row["time x"]) + 0.5 * lead(row["impact x"]), 1);
    }
    expect(r.stdout).toMatch(/^rank: lowest cost first; cost = 0\.5 x time\/least \+ 0\.5 x impact\/least, with preference 0\.5/m);
    expect(r.stdout).toMatch(/time = makespan, impact = single score/);
    const fr = rows.find((row) => row.placement === "site fr")!;
    const least = Math.min(...rows.map((row) => lead(row["score mPt"])));
    expect(lead(fr["score mPt"])).toBe(least);
    expect(fr["impact x"]).toBe("x1.00");
    // Ranked by that cost, lowest first.
    const costs = rows.map((row) => lead(row.cost));
    expect(rows.map((row) => row["#"])).toEqual(rows.map((_, k) => String(k + 1)));
    for (let k = 1; k < costs.length; k++) expect(costs[k]).toBeGreaterThanOrEqual(costs[k - 1]);
  });

  it("--cluster with --loaded is a usage mistake, named", () => {
    const r = cli("--cluster", "test/fixtures/snapshot/two-site-busy.json", "--loaded", "-n", "1", "-t", "10");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/--cluster: expected either --cluster .* or --loaded .*, got both/);
  });

  it("an option it does not understand exits 2 and names it", () => {
    const r = cli(...AT, "--time=1:00:00", "--frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/command line: --frobnicate: /);
    expect(r.stderr).toMatch(/impactsim estimate --help/);
  });

  it("a script's bad lines exit 3 with every issue named by file, line and option", () => {
    const r = cli(...AT, "test/fixtures/slurm/bad.sh");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/test\/fixtures\/slurm\/bad\.sh:2: --nodes: expected a positive integer/);
    expect(r.stderr).toMatch(/test\/fixtures\/slurm\/bad\.sh:3: --frobnicate: /);
  });

  it("problems from a script's #SBATCH lines name the script and its line, not the command line", () => {
    const big = join(tmp, "big.sh");
    writeFileSync(big, "#!/bin/bash\n#SBATCH -N 1000\n#SBATCH -t 1:00:00\nsrun hostname\n");
    const r = cli(...AT, big);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${big}:2: --nodes: expected a pool that can hold 1000 cores on 1000 nodes, got none`);
    expect(r.stderr).not.toMatch(/command line/);
    const empty = join(tmp, "empty.sh");
    writeFileSync(empty, "");
    const e = cli(...AT, empty);
    expect(e.status).toBe(3);
    expect(e.stderr).toContain(`${empty}: --time: expected #SBATCH --time (the walltime) in the script`);
    expect(e.stderr).toMatch(/it has no #SBATCH line before its first command/);
  });

  it("a cluster snapshot whose time is past the grid series names the snapshot file and its time field", () => {
    const snap = JSON.parse(readFileSync("test/fixtures/snapshot/two-site-busy.json", "utf8")) as { time: string };
    snap.time = "2021-06-01T09:00:00+01:00"; // the default scenario's series end on 2021-01-09
    const file = join(tmp, "late.json");
    writeFileSync(file, JSON.stringify(snap));
    const r = cli("--cluster", file, "-n", "4", "-t", "1:00:00", "--window", "0");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${file}: time: expected a submission the grid series cover`);
    expect(r.stderr).not.toMatch(/--at: at:/);
  });

  it("the README's estimate examples run as written, with the job.sh it ships", () => {
    const readme = readFileSync("README.md", "utf8");
    const examples = [...readme.matchAll(/^npm run --silent impactsim -- estimate (.+)$/gm)].map((m) => m[1].trim().split(/\s+/));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.some((args) => args.includes("job.sh"))).toBe(true);
    for (const args of examples) {
      const r = cli(...args);
      expect(r.stderr, args.join(" ")).toBe("");
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/^suggested: sbatch --partition=/m);
    }
    // sbatch $(impactsim estimate --sbatch job.sh) job.sh: the options alone, from the script's #SBATCH lines.
    expect(readme).toContain("sbatch $(impactsim estimate --sbatch job.sh) job.sh");
    const s = cli("--sbatch", "job.sh");
    expect(s.status).toBe(0);
    expect(s.stdout.trim()).toMatch(/^--partition=\w+ --nodes=\d+ --ntasks=32 --time=04:00:00 --job-name=\S+$/);
  }, 120_000);

  it("the README's compare and pareto examples use a scenario with QoS classes (without, temporal has nothing to shift)", () => {
    const readme = readFileSync("README.md", "utf8");
    const scenarios = [...readme.matchAll(/^npm run --silent impactsim -- (compare|pareto) (\S+)/gm)].map((m) => [m[1], m[2]]);
    expect([...new Set(scenarios.map(([c]) => c))].sort()).toEqual(["compare", "pareto"]);
    for (const [, file] of scenarios) {
      const scenario = JSON.parse(readFileSync(file, "utf8")) as { qos?: { classes?: { max_delay_s: number }[] } };
      expect(scenario.qos?.classes?.some((c) => c.max_delay_s > 0), file).toBe(true);
    }
  });

  it("a bad value of its own options exits 3 and names the option", () => {
    const r = cli("--preference", "2", "-t", "60");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/--preference: expected a number in \[0, 1\], got "2"/);
  });
});
