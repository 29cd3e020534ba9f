/**
 * The planner: a checked recipe plus what is public about the dataset (reading count,
 * timestamps, k, scale, offset) becomes an execution plan — the exact window of reading indices
 * aligned to k, the program in the contract's encoding and its hash, the steps with their chunk
 * sizes, and the map from result handles to statistics.
 *
 * Window alignment: the contract only runs windows [fromIndex, toIndex) with both ends multiples
 * of k. For time windows, `since last report` and `all`, the planner never reads outside what the
 * recipe asked for: it SHRINKS the requested range to the whole buckets inside it (fromIndex
 * rounded up, toIndex rounded down). Readings of a bucket that is not complete yet wait for a
 * later run (for `since last report` that is the next report, which starts where this one ends).
 * A count window (`last 500 readings`) means "the most recent 500 readings I can have": the most
 * recent whole buckets, ending at the last complete bucket, 500 rounded down to a multiple of k.
 * Every adjustment is explained in a note the UI can show.
 */
import { RecipeKind } from "./catalogue";
import { formatFixed, isqrt, trimFraction } from "./decimal";
import { planSteps, type PlannedStep } from "./cost-model";
import { planRolledUpSteps, rollupsServe, validRollups, type DatasetRollups } from "./rollup-model";
import { RecipeIRSchema, type RecipeIR, type Statistic } from "./ir";
import {
  abstractProgram,
  encodeProgram,
  handleLayout,
  programHash,
  type ContractOp,
  type HandleSpec,
} from "./program";
import { describeDuration, formatUnixTime } from "./time";
import { NoiseTooWideError } from "./noise-model";
import { planPrivacy, resolveEpsilons, type PlanPrivacy } from "./plan-privacy";
import { privateSetting, type DatasetPrivacy } from "./privacy";
import { isValidScale, toOffset, UINT64_MAX, type ValueEncoding } from "./values";

/** What the planner needs to know about the dataset (all public on-chain). */
export interface PlanDataset {
  /** The on-chain dataset id (uint256). */
  readonly id: bigint | number | string;
  /** Decimals of the fixed-point encoding. */
  readonly scale: number;
  /** Offset in scaled units (int64). */
  readonly offset: bigint | number;
  /** Bucket size: window ends must be multiples of k. */
  readonly k: number;
  /** Readings appended so far. */
  readonly readingCount: number;
  /**
   * Unix seconds of each reading (index i = reading i, never decreasing), from the
   * ReadingsAppended events. Needed only by time windows (`last 24h`, `from … to …`).
   */
  readonly timestamps?: readonly number[];
  /** Unit for notes and results, e.g. `°C`. */
  readonly unit?: string;
  /**
   * The rollups the dataset keeps (`datasetInfo`'s rollups and rollupBlockSize); none when omitted. A
   * window aligned to their blocks whose every statistic they serve is planned over them (rollup-model.ts).
   */
  readonly rollups?: DatasetRollups;
  /**
   * The dataset's privacy setting (the catalogue's `privacy`); exact when omitted. On a private dataset
   * the ops carry ε, the window starts at `privateFrom` or later, and the plan has its privacy figures.
   */
  readonly privacy?: DatasetPrivacy;
}

/** Input of {@link plan}. */
export interface PlanOptions {
  readonly ir: RecipeIR;
  readonly dataset: PlanDataset;
  /** Unix seconds "now" for `last <duration>` windows. */
  readonly now: number;
  /** toIndex of the previous report's window, for `since last report` (scheduled runs). */
  readonly previousReportEnd?: number;
  /**
   * On a private dataset: the most ε (thousandths) any reading of the plan's window has already spent
   * on the buyer (the contract's `privacySpent(id, buyer, fromIndex, toIndex)`), for the budget figures.
   */
  readonly privacySpent?: number;
  /** The plan is a schedule's (its reports read consecutive windows): the privacy figures say how many reports the budget allows. */
  readonly scheduled?: boolean;
}

/** The aligned window of a plan. */
export interface PlanWindow {
  /** First reading index (a multiple of k). */
  readonly fromIndex: number;
  /** One past the last reading index (a multiple of k). */
  readonly toIndex: number;
  /** toIndex − fromIndex: the public number of readings the statistics cover. */
  readonly length: number;
  /** The reading range the recipe asked for, before alignment: [requestedFrom, requestedTo). */
  readonly requestedFrom: number;
  readonly requestedTo: number;
  /** Timestamps of the first and last reading in the window, when the dataset's timestamps were given. */
  readonly firstTimestamp?: number;
  readonly lastTimestamp?: number;
}

/** A remark for the UI about how the plan differs from what the recipe literally says. */
export interface PlanNote {
  readonly code: "aligned" | "clamped" | "no-previous-report" | "overflow-bound" | "private-from";
  readonly message: string;
}

/** How one statistic reads its results: the ops (in its catalogue form's kind order). */
export interface PlanOutput {
  readonly statistic: Statistic;
  /** Indices into {@link Plan.ops}; their handles are in {@link Plan.handles}. */
  readonly ops: readonly number[];
}

/** An execution plan. */
export interface Plan {
  readonly version: 1;
  /** The dataset id as a decimal string (uint256). */
  readonly datasetId: string;
  readonly encoding: ValueEncoding;
  readonly unit?: string;
  readonly k: number;
  readonly window: PlanWindow;
  /** The program in the contract's encoding. */
  readonly ops: readonly ContractOp[];
  /** keccak256(abi.encode(ops)). */
  readonly programHash: `0x${string}`;
  /** The `step` transactions, in order; their sizes sum to the window length. */
  readonly steps: readonly PlannedStep[];
  /** Sum of the steps' HCU. */
  readonly totalHcu: number;
  /** Whether the steps combine the dataset's rollups instead of its readings (the contract decides the same). */
  readonly rolledUp: boolean;
  /** The result handles of the finished run, in the interface's order (op order, flattened). */
  readonly handles: readonly HandleSpec[];
  /** One per statistic, in recipe order. */
  readonly outputs: readonly PlanOutput[];
  readonly notes: readonly PlanNote[];
  /** On a private dataset: ε, budget and the noise on each statistic (plan-privacy.ts). Absent: exact results. */
  readonly privacy?: PlanPrivacy;
}

/** Why no plan could be made. */
export interface PlanError {
  readonly code:
    | "invalid-recipe"
    | "invalid-dataset"
    | "missing-timestamps"
    | "window-too-short"
    | "value-not-representable"
    | "too-expensive"
    | "not-private"
    | "epsilon-not-offered"
    | "epsilon-out-of-bounds"
    | "noise-too-wide";
  /** A sentence for the buyer. */
  readonly message: string;
}

/** A plan, or why there is none. */
export type PlanResult = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly error: PlanError };

const fail = (code: PlanError["code"], message: string): PlanResult => ({ ok: false, error: { code, message } });

/** Plans a checked recipe over a dataset. Pure: the same inputs always give the same plan. */
export function plan({ ir, dataset, now, previousReportEnd, privacySpent, scheduled }: PlanOptions): PlanResult {
  const parsed = RecipeIRSchema.safeParse(ir);
  if (!parsed.success) return fail("invalid-recipe", `the recipe is not valid: ${parsed.error.issues[0]?.message ?? "unknown problem"}`);
  const datasetProblem = checkDataset(dataset);
  if (datasetProblem) return fail("invalid-dataset", datasetProblem);
  const encoding: ValueEncoding = { scale: dataset.scale, offset: toOffset(dataset.offset) };

  const setting = privateSetting(dataset.privacy);
  const resolved = resolveWindow(ir, dataset, now, previousReportEnd, setting?.privateFrom ?? 0);
  if (!resolved.ok) return resolved;
  const { window, notes } = resolved;

  const compiled = compileProgram({ ir, encoding, ...(dataset.privacy ? { privacy: dataset.privacy } : {}) });
  if (!compiled.ok) return compiled;
  const { ops, statisticOps } = compiled;
  const rolledUp = rollupsServe(dataset.rollups, ops, window.fromIndex, window.toIndex);
  const steps: ReturnType<typeof planSteps> =
    rolledUp && dataset.rollups
      ? { ok: true, steps: planRolledUpSteps(ops, dataset.rollups.blockSize, window.fromIndex, window.toIndex) }
      : planSteps({ ops, length: window.length });
  if (!steps.ok) {
    return fail("too-expensive", `the recipe costs ${steps.hcuForOneReading} HCU for a single reading, more than one transaction allows`);
  }
  const overflow = overflowNote(ops, window.length, encoding, dataset.unit);
  let privacy: PlanPrivacy | undefined;
  if (setting) {
    try {
      privacy = planPrivacy({
        ir,
        setting,
        ops,
        statisticOps,
        window,
        scale: encoding.scale,
        offset: encoding.offset,
        ...(dataset.unit === undefined ? {} : { unit: dataset.unit }),
        ...(privacySpent === undefined ? {} : { spentMilli: privacySpent }),
        scheduled: scheduled === true || ir.window.type === "sinceLastReport",
      });
    } catch (error) {
      if (!(error instanceof NoiseTooWideError)) throw error;
      return fail("noise-too-wide", `${error.message}: a statistic's ε is too small for this dataset's range`);
    }
  }
  return {
    ok: true,
    plan: {
      version: 1,
      datasetId: BigInt(dataset.id).toString(),
      encoding,
      ...(dataset.unit === undefined ? {} : { unit: dataset.unit }),
      k: dataset.k,
      window,
      ops,
      programHash: programHash(ops),
      steps: steps.steps,
      totalHcu: steps.steps.reduce((sum, s) => sum + s.hcu, 0),
      rolledUp,
      handles: handleLayout(ops, setting !== undefined),
      outputs: ir.statistics.map((statistic, i) => ({ statistic, ops: statisticOps[i] })),
      notes: overflow ? [...notes, overflow] : notes,
      ...(privacy ? { privacy } : {}),
    },
  };
}

/** Input of {@link compileProgram}. */
export interface CompileProgramOptions {
  readonly ir: RecipeIR;
  readonly encoding: ValueEncoding;
  /** The dataset's privacy setting; exact when omitted. */
  readonly privacy?: DatasetPrivacy;
}

/** A program in the contract's encoding, with each statistic's op indices, or why there is none. */
export type CompiledProgram =
  | { readonly ok: true; readonly ops: ContractOp[]; readonly statisticOps: readonly (readonly number[])[] }
  | { readonly ok: false; readonly error: PlanError };

/**
 * The contract ops of a checked recipe over a dataset, independent of any window: constants encoded,
 * each op's ε resolved on a private dataset (the statistic's, the recipe's, the dataset's default).
 * What the planner puts in a plan and what the worker re-derives from the recipe, so both hash alike.
 */
export function compileProgram({ ir, encoding, privacy }: CompileProgramOptions): CompiledProgram {
  const program = abstractProgram(ir.statistics, ir.epsilon);
  const setting = privateSetting(privacy);
  let epsilons: number[] = [];
  if (setting) {
    const resolvedEpsilons = resolveEpsilons(program.ops, setting);
    if (!resolvedEpsilons.ok) return { ok: false, error: resolvedEpsilons.error };
    epsilons = resolvedEpsilons.epsilons;
  } else if (privacy?.mode === "exact" && (ir.epsilon !== undefined || ir.statistics.some((s) => s.epsilon !== undefined))) {
    return {
      ok: false,
      error: { code: "epsilon-not-offered", message: "this dataset is exact: its results carry no noise and spend no ε, so the recipe must not choose one (remove its privacy)" },
    };
  }
  const encoded = encodeProgram(program.ops, encoding, epsilons);
  if (!encoded.ok) {
    const reason = { "too-precise": "has more decimals than", "below-range": "is below the range of", "above-range": "is above the range of" }[encoded.reason];
    return { ok: false, error: { code: "value-not-representable", message: `the value ${encoded.value} ${reason} this dataset (scale ${encoding.scale}, offset ${encoding.offset})` } };
  }
  return { ok: true, ops: encoded.ops, statisticOps: program.statisticOps };
}

function checkDataset(d: PlanDataset): string | undefined {
  if (!isValidScale(d.scale)) return `scale must be an integer 0..18, got ${d.scale}`;
  if (!Number.isSafeInteger(d.k) || d.k < 1) return `k must be a positive integer, got ${d.k}`;
  if (!Number.isSafeInteger(d.readingCount) || d.readingCount < 0) return `readingCount must be a non-negative integer, got ${d.readingCount}`;
  if (d.rollups && (!validRollups(d.rollups.kinds) || !Number.isSafeInteger(d.rollups.blockSize) || (d.rollups.kinds !== 0 && d.rollups.blockSize < 2))) {
    return `rollups ${d.rollups.kinds} over blocks of ${d.rollups.blockSize} are not a dataset's rollups`;
  }
  if (d.timestamps && d.timestamps.length < d.readingCount) {
    return `timestamps hold ${d.timestamps.length} entries for ${d.readingCount} readings`;
  }
  try {
    const id = BigInt(d.id);
    if (id < 0n) return "the dataset id must not be negative";
  } catch {
    return `the dataset id ${String(d.id)} is not an integer`;
  }
  return undefined;
}

type WindowResult = { ok: true; window: PlanWindow; notes: PlanNote[] } | { ok: false; error: PlanError };

const floorTo = (x: number, k: number) => Math.floor(x / k) * k;
const ceilTo = (x: number, k: number) => Math.ceil(x / k) * k;

/** First index in [0, count) whose timestamp satisfies `after`, or count (timestamps never decrease). */
function firstIndexWhere(timestamps: readonly number[], count: number, after: (t: number) => boolean): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(timestamps[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function describeRange(from: number, to: number): string {
  const n = to - from;
  if (n === 0) return "no readings";
  return `${n.toLocaleString("en-US")} reading${n === 1 ? "" : "s"} (indices ${from} to ${to - 1})`;
}

function resolveWindow(ir: RecipeIR, dataset: PlanDataset, now: number, previousReportEnd: number | undefined, privateFrom: number): WindowResult {
  const { k, readingCount: count } = dataset;
  const notes: PlanNote[] = [];
  const lastWholeBucket = floorTo(count, k);
  let requestedFrom: number;
  let requestedTo: number;
  let fromIndex: number;
  let toIndex: number;
  let what: string;
  const w = ir.window;
  switch (w.type) {
    case "all":
      requestedFrom = 0;
      requestedTo = count;
      what = "all readings";
      break;
    case "sinceLastReport": {
      if (previousReportEnd === undefined) {
        notes.push({ code: "no-previous-report", message: "There is no previous report yet, so the window starts at the first reading." });
      } else if (!Number.isSafeInteger(previousReportEnd) || previousReportEnd < 0 || previousReportEnd > count) {
        return { ok: false, error: { code: "invalid-dataset", message: `the previous report ended at reading ${previousReportEnd}, outside the dataset's ${count} readings` } };
      }
      requestedFrom = previousReportEnd ?? 0;
      requestedTo = count;
      what = "the readings since the last report";
      break;
    }
    case "readings": {
      requestedFrom = Math.max(0, count - w.count);
      requestedTo = count;
      what = `the last ${w.count.toLocaleString("en-US")} readings`;
      if (w.count > count) {
        notes.push({ code: "clamped", message: `The dataset holds only ${count.toLocaleString("en-US")} readings, fewer than the ${w.count.toLocaleString("en-US")} asked for.` });
      }
      break;
    }
    case "duration":
    case "range": {
      const timestamps = dataset.timestamps;
      if (!timestamps) {
        return { ok: false, error: { code: "missing-timestamps", message: "a time window needs the readings' timestamps" } };
      }
      if (w.type === "duration") {
        // (now − duration, now]
        requestedFrom = firstIndexWhere(timestamps, count, (t) => t > now - w.seconds);
        requestedTo = firstIndexWhere(timestamps, count, (t) => t > now);
        what = `the readings stamped after ${formatUnixTime(now - w.seconds)} up to ${formatUnixTime(now)} (the last ${describeDuration(w.seconds)})`;
      } else {
        // [from, to)
        requestedFrom = firstIndexWhere(timestamps, count, (t) => t >= w.from);
        requestedTo = firstIndexWhere(timestamps, count, (t) => t >= w.to);
        what = `the readings stamped from ${formatUnixTime(w.from)} to ${formatUnixTime(w.to)} (end excluded)`;
      }
      break;
    }
  }

  if (w.type === "readings") {
    // The most recent whole buckets, as many readings as asked for rounded down to whole buckets.
    toIndex = lastWholeBucket;
    fromIndex = Math.max(0, toIndex - floorTo(Math.min(w.count, count), k));
  } else {
    fromIndex = ceilTo(requestedFrom, k);
    toIndex = floorTo(requestedTo, k);
  }
  // A private dataset's runs read only readings clamped since it became private (the contract's WindowBeforePrivateFrom).
  const firstPrivate = ceilTo(privateFrom, k);
  if (fromIndex < firstPrivate) {
    notes.push({
      code: "private-from",
      message: `This dataset became private at reading ${privateFrom}; earlier readings were not clamped into its range, so private runs start at reading ${firstPrivate}.`,
    });
    fromIndex = firstPrivate;
  }

  if (toIndex - fromIndex < k) {
    return {
      ok: false,
      error: {
        code: "window-too-short",
        message: `The recipe asks for ${what}: ${describeRange(requestedFrom, requestedTo)}. This dataset only runs windows of whole buckets of ${k} readings, and not one whole bucket fits. Choose a longer window${requestedTo >= count ? " or wait for more readings" : ""}.`,
      },
    };
  }

  if (fromIndex !== requestedFrom || toIndex !== requestedTo) {
    const droppedStart = fromIndex - requestedFrom;
    const droppedEnd = requestedTo - toIndex;
    const parts = [
      droppedStart > 0 ? `${droppedStart} left out at the start` : undefined,
      droppedStart < 0 ? `${-droppedStart} earlier ones added at the start` : undefined,
      droppedEnd > 0 ? `${droppedEnd} left out at the end${requestedTo === count ? " (their bucket is not complete yet; a later run covers them)" : ""}` : undefined,
    ].filter(Boolean);
    notes.push({
      code: "aligned",
      message: `The recipe asks for ${what}: ${describeRange(requestedFrom, requestedTo)}. Windows must start and end on whole buckets of ${k} readings (the seller's privacy rule), so this run covers ${describeRange(fromIndex, toIndex)}: ${parts.join(", ")}.`,
    });
  }

  const timestamps = dataset.timestamps;
  return {
    ok: true,
    notes,
    window: {
      fromIndex,
      toIndex,
      length: toIndex - fromIndex,
      requestedFrom,
      requestedTo,
      ...(timestamps ? { firstTimestamp: timestamps[fromIndex], lastTimestamp: timestamps[toIndex - 1] } : {}),
    },
  };
}

/**
 * The interface's overflow bound for VARIANCE: the sum of squares is a euint64, exact while every
 * encoded reading stays below 2^32 / √n. Sums of n euint64 readings are bounded the same way
 * (below 2^64 / n), which only matters for enormous readings; both are stated for the UI.
 */
function overflowNote(ops: readonly ContractOp[], n: number, encoding: ValueEncoding, unit: string | undefined): PlanNote | undefined {
  if (!ops.some((op) => op.kind === RecipeKind.VARIANCE)) return undefined;
  // Largest encoded x with n·x² < 2^64: floor(sqrt((2^64 − 1) / n)).
  const limit = isqrt(UINT64_MAX / BigInt(n));
  const value = trimFraction(formatFixed(limit + encoding.offset, encoding.scale));
  return {
    code: "overflow-bound",
    message: `Variance and standard deviation are exact while every reading in this ${n.toLocaleString("en-US")}-reading window is below ${value}${unit ? ` ${unit}` : ""} (the sum of squares is a 64-bit number).`,
  };
}
