// Runs a module in this process, then prints the peak resident set size in KB
// on the last line of stdout (for the whole-process figures of bench/run.ts).
const [, , entry, ...args] = process.argv;
process.argv = [process.argv[0], entry, ...args];
await import(new URL(`file://${entry}`).href);
process.on("exit", () => process.stdout.write(`\n${process.resourceUsage().maxRSS}\n`));
