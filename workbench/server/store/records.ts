/**
 * What the store hands back: plain, camelCase records (timestamps as ISO-8601 strings, on-chain
 * integers that may exceed 2^53 as decimal strings). The repositories map table rows to these.
 */

import type { PrivacyParams } from "@iotdm/contracts-client";

/** A page of a longer list. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Limit and offset of a page. */
export interface PageRequest {
  limit: number;
  offset: number;
}

export interface SessionRecord {
  id: string;
  address: string;
  createdAt: string;
  expiresAt: string;
}

export interface NotebookRecord {
  id: string;
  owner: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

export interface NotebookSummaryRecord extends NotebookRecord {
  cellCount: number;
}

export type CellKind = "markdown" | "recipe";

export interface CellRecord {
  id: string;
  notebookId: string;
  /** 0-based position in the notebook. */
  position: number;
  kind: CellKind;
  source: string;
  /** The dataset a recipe cell runs against (uint256, decimal); always null for markdown. */
  datasetId: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A parameter of a template: one `param name = default "description"` declaration of its recipe
 * source (read from the source when the template is published, kept here for browsing).
 */
export interface TemplateParam {
  name: string;
  /** The default as written in the source (a decimal literal). */
  default: string;
  description?: string;
}

export interface TemplateRecord {
  id: string;
  author: string;
  title: string;
  description: string;
  source: string;
  params: TemplateParam[];
  tags: string[];
  version: string;
  forkCount: number;
  originCellId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Null while published. */
  unpublishedAt: string | null;
}

/** A run's statuses, in the order a run goes through them (the API's and the store's). */
export const RUN_STATUSES = ["queued", "running", "done", "error"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** An error recorded on a run (a contract's custom error, a worker failure), as shown to the buyer. */
export interface RunError {
  code: string;
  message: string;
}

export interface RunRecord {
  id: string;
  buyer: string;
  notebookId: string | null;
  cellId: string | null;
  scheduleId: string | null;
  datasetId: string;
  programHash: string;
  /** The program's ops as sent on-chain (JSON; uint64 values as decimal strings). */
  program: unknown;
  source: string;
  fromIndex: number;
  toIndex: number;
  requestDigest: string;
  /** The signed EIP-712 RunRequest message (JSON). */
  request: unknown;
  signature: string;
  chainRunId: string | null;
  status: RunStatus;
  progress: { stepsDone: number; stepsTotal: number | null; cursorIndex: number | null };
  /** The recipe's parameter values as submitted (null when it used its defaults). */
  params: Record<string, string | number> | null;
  /** The plan the run follows (recipes/ `planToJSON`), for the browser to interpret the results. */
  plan: unknown;
  /** Set when the run's chain was reset: its dataset and its result handles no longer exist. */
  staleReason: string | null;
  /** Result handles in op order (bytes32 hex), once the run is done. */
  resultHandles: string[] | null;
  txHashes: string[];
  error: RunError | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A schedule's statuses: live (active, paused) or ended, with why (the API's and the store's). */
export const SCHEDULE_STATUSES = ["active", "paused", "revoked", "expired", "completed"] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

/** How often a schedule reports: a fixed interval in milliseconds, or a cron pattern in a time zone. */
export type ScheduleRepeat = { every: number } | { pattern: string; tz: string };

export interface ScheduleRecord {
  id: string;
  owner: string;
  notebookId: string | null;
  cellId: string | null;
  datasetId: string;
  programHash: string;
  program: unknown;
  source: string;
  cadenceSeconds: number;
  /** Unix seconds. */
  expiry: number;
  maxRuns: number;
  authorizationDigest: string;
  /** The signed EIP-712 StandingAuthorization message (JSON). */
  authorization: unknown;
  signature: string;
  status: ScheduleStatus;
  runsDone: number;
  /** Where the next scheduled window starts (windows are consecutive). */
  nextFromIndex: number;
  lastRunAt: string | null;
  params: Record<string, string | number> | null;
  /** How often a report runs: `{ every: ms }` or `{ pattern, tz }` (the worker's job scheduler). */
  repeat: ScheduleRepeat | null;
  /** Why the schedule ended early (its chain was reset, the worker refused it); null otherwise. */
  endedReason: string | null;
  /** Why the worker paused it (the buyer's balance is short of a report's quote); null when the buyer paused it or it is not paused. */
  pausedReason: string | null;
  /** Why its job scheduler could not be restored in the queue; null while it ticks. */
  schedulerProblem: string | null;
  /** Tick attempts that failed in a row, most recent first (skips neither count nor break the run). */
  failuresInARow: number;
  /** The latest failed attempt, if any. */
  lastFailure: { reason: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** One tick of a schedule: a report, a skip or a failure, with its reason. */
export interface ScheduleAttemptRecord {
  id: string;
  scheduleId: string;
  attemptKey: string;
  outcome: "report" | "skipped" | "failed";
  reason: string | null;
  code: string | null;
  willRetry: boolean;
  chainRunId: string | null;
  createdAt: string;
}

export interface ScheduleReportRecord {
  id: string;
  scheduleId: string;
  runId: string;
  fromIndex: number;
  toIndex: number;
  createdAt: string;
}

export interface IndexerStateRecord {
  key: string;
  chainId: number;
  genesisHash: string;
  lastIndexedBlock: number;
  updatedAt: string;
}

export interface DatasetRecord {
  id: string;
  seller: string;
  name: string;
  /** What a reading measures, as recipes name it (e.g. `temperature`). */
  field: string;
  unit: string;
  scale: number;
  /** int64, decimal. */
  offset: string;
  /** wei, decimal. */
  priceWei: string;
  periodSeconds: number;
  k: number;
  readingCount: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  approvedMask: number;
  /** The block it was paused in; null while not paused. */
  pausedBlock: number | null;
  /** The privacy setting the chain last announced (PrivacyChanged); exact until then. */
  privacy: PrivacyParams;
  /** The first reading a private setting covers (readings before it were released exactly). */
  privateFrom: number;
  /** What pay per run has earned the seller on this dataset (RunSettled). */
  runEarnings: RunEarnings;
  /** The encrypted rollups it keeps (a ROLLUP mask of @iotdm/recipes, RollupsChosen); 0: none. */
  rollups: number;
  /** Readings per rollup block (0 without rollups): windows aligned to it are combined from the rollups. */
  rollupBlockSize: number;
  createdBlock: number;
  updatedBlock: number;
  updatedAt: string;
}

/** A dataset's settled runs and the seller's share of them (the per-run price), summed from RunSettled. */
export interface RunEarnings {
  settledRuns: number;
  /** wei, decimal. */
  sellerWei: string;
}

export interface DatasetAccessRecord {
  datasetId: string;
  buyer: string;
  /** Unix seconds. */
  expiresAt: number;
  updatedBlock: number;
}
