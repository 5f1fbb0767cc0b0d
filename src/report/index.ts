/**
 * Public surface of report/: self-contained HTML reports (d3 inlined, no
 * network) of a run folder, with its waste figures, and of a sweep folder.
 */
export { buildRunReport, renderRunReport, writeRunReport, type RunReport } from "./runReport.js";
export { isSweepFolder, writeSweepReport, SWEEP_FILES } from "./sweepReport.js";
export { wasteReport, type WasteReport } from "./waste.js";
export { isStudyFolder, renderStudyReport, writeStudyReport } from "./studyReport.js";
