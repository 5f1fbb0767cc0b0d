export { LiveWorld, memoryStateStore, type LiveWorldOptions, type PolicyStateStore } from "./world.js";
export { FakeScheduler, type FakeSchedulerOptions, type ReleasedRun } from "./fakeScheduler.js";
export type { BackendEvent, SchedulerBackend } from "./backend.js";
export { liveView, type SnapshotModel } from "./view.js";
export { LiveMeter, type ShareSink } from "./meter.js";
