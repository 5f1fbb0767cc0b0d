/**
 * Public surface of bridge/: bridges between the live service and real
 * schedulers: Slurm through its commands (squeue --json, scontrol, sbatch,
 * the jobcomp log), and the bridge daemon that sends held jobs to the service
 * and applies its decisions.
 */
export { SlurmCli, parseSqueue, parseJobcomp, FINISHED, HELD, type SlurmJob, type SlurmCliOptions } from "./slurm.js";
export { SlurmBridge, projectOf, type BridgeOptions, type BridgeEvent } from "./bridge.js";
