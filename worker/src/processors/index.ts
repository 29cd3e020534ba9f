/**
 * The processors of the runs queue, wired to one market, one relayer and one queue.
 */
import type { Processors } from "../run-worker";
import { createReportProcessor, type ReportProcessorDeps } from "./report-processor";
import { createRunProcessor } from "./run-processor";

export { createReportProcessor, type ReportProcessorDeps } from "./report-processor";
export { assertSameMarket, createRunProcessor, type RunProcessorDeps } from "./run-processor";

/** The run and report processors over the same dependencies. */
export function createProcessors(deps: ReportProcessorDeps): Processors {
  return { run: createRunProcessor(deps), report: createReportProcessor(deps) };
}
