/** The command line's exit codes, which scripts rely on (README: 0 ok, 2 usage, 3 invalid input). */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type Cli } from "../helpers/cli.js";

let impactsim: Cli;
beforeAll(async () => {
  impactsim = await bundleCli();
});
afterAll(() => impactsim?.dispose());

const cli = (...args: string[]) => impactsim.run(args);

describe("impactsim CLI", () => {
  it("impactsim --help exits 0 and lists the commands", () => {
    const r = cli("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/impactsim run \[scenario\]/);
    expect(r.stdout).toMatch(/impactsim compare/);
  });

  it("impactsim --version prints package.json's version and exits 0", () => {
    const r = cli("--version");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version}\n`);
    expect(r.stderr).toBe("");
  });

  it("impactsim with an unknown command exits 2", () => {
    expect(cli("frobnicate").status).toBe(2);
  });

  it("impactsim run with a missing scenario file exits 3 and names the file", () => {
    const r = cli("run", "no-such-scenario.json", "--quiet");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no-such-scenario\.json: cannot read the file/);
  });

  it("impactsim run with an invalid policy parameter exits 3 and names it", () => {
    const r = cli("compare", "--policies", 'heft:{"bogus":1}');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/unknown parameter "bogus"/);
  });
});
