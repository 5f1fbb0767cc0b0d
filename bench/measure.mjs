// Runs a module in this process as its main program, then prints on the last
// line of stdout a JSON object: cpu_s (user + system CPU seconds of the whole
// process) and max_rss_kb, for the whole-process figures of bench/run.ts.
// Without a module it measures Node's own start (node -e '').
import { pathToFileURL } from "node:url";

const [, , entry, ...args] = process.argv;
process.argv = [process.argv[0], entry, ...args];
process.on("exit", () => {
  const u = process.resourceUsage();
  process.stdout.write(`\n${JSON.stringify({ cpu_s: (u.userCPUTime + u.systemCPUTime) / 1e6, max_rss_kb: u.maxRSS })}\n`);
});
if (entry) await import(pathToFileURL(entry).href);
