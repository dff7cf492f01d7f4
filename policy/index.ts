export * from "./types";
export { rules } from "./rules";
export { checkWaivers, evaluate, formatTable, hasFailures, UNWAIVABLE_ENVIRONMENTS } from "./evaluate";
export type { RuleResult, Status, Waiver } from "./evaluate";
export { fromRecorded, type RecordedResource } from "./recorded";
