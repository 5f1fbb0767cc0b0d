// Runs a module in this process as its main program, then prints on the last
// line of stdout a JSON object: cpu_s (user + system CPU seconds of the whole
// process), main_cpu_s (its main thread's, from /proc on Linux, in 10 ms
// ticks; null elsewhere: the rest is V8's compiler and collector threads,
// libuv's pool and any worker thread) and max_rss_kb, for the whole-process
// figures of bench/run.ts. Without a module it measures Node's own start
// (node -e '').
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [, , entry, ...args] = process.argv;
process.argv = [process.argv[0], entry, ...args];
process.on("exit", () => {
  const u = process.resourceUsage();
  process.stdout.write(`\n${JSON.stringify({ cpu_s: (u.userCPUTime + u.systemCPUTime) / 1e6, main_cpu_s: mainThreadCpu(), max_rss_kb: u.maxRSS })}\n`);
});

/** CPU seconds (user + system) of the main thread, whose thread id is the process's; null without /proc. */
function mainThreadCpu() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 1/100 s (USER_HZ).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
if (entry) await import(pathToFileURL(entry).href);
