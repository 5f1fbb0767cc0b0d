/**
 * Service processes for end-to-end tests: test/e2e/serve/child.ts bundled once
 * with esbuild (a spawn of the bundle starts in a fraction of a second; tsx
 * would compile the sources again each time), started on a port, killed with
 * any signal, and every process still alive killed by stopAll() (call it in
 * afterAll, so no test leaves a process behind).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { PACKAGE_ROOT } from "../../../src/io/paths.js";
import type { ServeOptions } from "../../../src/serve/index.js";

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Sends `signal` and waits until the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface Servers {
  start(o: ServeOptions): Promise<ServerProcess>;
  stopAll(): Promise<void>;
  /** The last lines the processes logged (stdout and stderr, every process started), for a failing test to show. */
  logTail(): string;
}

export { freePort } from "../../helpers/freePort.js";

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once("exit", () => r()));
}

export async function servers(): Promise<Servers> {
  const cache = join(PACKAGE_ROOT, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "impactsim-test-serve-"));
  const outfile = join(dir, "serve.mjs");
  await build({ entryPoints: [join(PACKAGE_ROOT, "test/e2e/serve/child.ts")], bundle: true, platform: "node", format: "esm", packages: "external", target: "node20", outfile, logLevel: "warning" });
  const alive = new Set<ChildProcess>();
  let logged = "";
  const keep = (pid: number | undefined, d: Buffer) => {
    const lines = d.toString().split("\n").filter((l) => l !== "" && !l.startsWith("listening "));
    if (lines.length > 0) logged = (logged + lines.map((l) => `[${pid}] ${l}\n`).join("")).slice(-8000);
  };
  return {
    async start(o) {
      const p = spawn(process.execPath, [outfile, JSON.stringify(o)], { cwd: PACKAGE_ROOT, stdio: ["ignore", "pipe", "pipe"] });
      alive.add(p);
      p.once("exit", () => alive.delete(p));
      let err = "";
      p.stderr!.on("data", (d: Buffer) => {
        err = (err + d.toString()).slice(-4000);
        keep(p.pid, d);
      });
      p.stdout!.on("data", (d: Buffer) => keep(p.pid, d));
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        p.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        p.once("exit", (code, sig) => reject(new Error(`the service exited (${code ?? sig}) before listening: ${err}`)));
      });
      return {
        url,
        pid: p.pid!,
        async stop(signal = "SIGTERM") {
          p.kill(signal);
          await exited(p);
        },
      };
    },
    logTail: () => logged,
    async stopAll() {
      for (const p of alive) p.kill("SIGKILL");
      await Promise.all([...alive].map(exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
