/**
 * A service process for the end-to-end tests: startServe() with the options
 * given as JSON in argv[2], "listening <url>" on stdout once it listens, a clean
 * close on SIGTERM. The tests kill it with SIGKILL too (crash safety). It
 * calls serve/'s startServe as `impactsim serve` does, without the CLI's
 * argument parsing, so these tests stand on the service alone.
 */
import { startServe, type ServeOptions } from "../../../src/serve/index.js";

const running = await startServe(JSON.parse(process.argv[2]) as ServeOptions);
process.stdout.write(`listening ${running.url}\n`);
process.on("SIGTERM", () => void running.close().then(() => process.exit(0)));
