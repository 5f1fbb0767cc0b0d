export { LiveWorld, memoryStateStore, type LiveWorldOptions, type PolicyStateStore } from "./world.js";
export { FakeScheduler } from "./fakeScheduler.js";
export type { BackendEvent, SchedulerBackend } from "./backend.js";
export { liveView, type SnapshotModel } from "./view.js";
