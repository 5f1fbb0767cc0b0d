/**
 * Public surface of bridge/: bridges between the live service and real
 * schedulers (Slurm).
 */
export {};
