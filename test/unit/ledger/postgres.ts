/**
 * A throwaway PostgreSQL server for the ledger's tests: IMPACTSIM_PG_URL when
 * set (a server you run), else Debian's postgresql binaries started here on a
 * free port in a temporary folder (as the postgres user when run as root;
 * PostgreSQL refuses to run as root). Undefined, with the reason, when neither
 * is there: the tests that need it skip and say why.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../helpers/freePort.js";

export interface PgServer {
  /** A URL of a fresh database. */
  database(name: string): string;
  stop(): void;
}

function binDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], "bin") : undefined;
}

export const PG_MISSING: string | undefined = process.env.IMPACTSIM_PG_URL ? undefined : binDir() ? undefined : "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql, or set IMPACTSIM_PG_URL): the PostgreSQL backend is not tested here; .ci/run installs it";


export async function startPostgres(): Promise<PgServer> {
  const given = process.env.IMPACTSIM_PG_URL;
  if (given) {
    const admin = given;
    return {
      database(name) {
        execFileSync("psql", [admin, "-qc", `DROP DATABASE IF EXISTS ${name}`, "-c", `CREATE DATABASE ${name}`], { stdio: "pipe" });
        return admin.replace(/\/[^/]*$/, `/${name}`);
      },
      stop() {},
    };
  }
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), "impactsim-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const r = asRoot ? spawnSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { encoding: "utf8" }) : spawnSync(join(bin, cmd), args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  if (asRoot) {
    chmodSync(dir, 0o700);
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "impactsim", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, "start"]);
  const url = (db: string) => `postgres://impactsim@127.0.0.1:${port}/${db}`;
  return {
    database(name) {
      execFileSync("psql", [url("postgres"), "-qc", `CREATE DATABASE ${name}`], { stdio: "pipe" });
      return url(name);
    },
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
