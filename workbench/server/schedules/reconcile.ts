import type { ReportAttempt, RunQueue, ScheduleInput, StoredScheduleStatus } from "@iotdm/worker/queues";
import type { MarketChain } from "../chain/market-chain";
import { standingAuthorizationDigest } from "@iotdm/contracts-client";
import { standingAuthorizationJson, type StandingAuthorizationJson } from "@iotdm/contracts-client/wire";
import { domainOf } from "../chain/market-deployment";
import type { NewScheduleAttempt } from "../store/repositories/schedule-repository";
import type { ScheduleRecord } from "../store/records";
import type { Store } from "../store/store";

/** What {@link reconcileSchedule} did to one schedule. */
export type ReconcileOutcome =
  | { ok: true; repaired: readonly string[] }
  | { ok: false; problem: string };

/**
 * The store is the source of truth for schedules; the queue's Redis only holds what the worker
 * needs to tick them, and loses it with its data (`SHUTDOWN NOSAVE`, the launcher's private Redis,
 * which keeps nothing on disk). This makes the queue match a live schedule of the store again: the
 * worker's record rewritten from the stored authorization, signature and recipe, and the BullMQ job
 * scheduler of an active schedule armed again (a paused one stays without). A schedule it cannot
 * restore keeps the reason (`schedulerProblem`), which the API shows, until a later pass succeeds.
 * Ended schedules are left alone. Idempotent: called for every live schedule at service start and
 * every minute (the progress recorder), and on resume.
 */
export async function reconcileSchedule(options: {
  schedule: ScheduleRecord;
  store: Store;
  runQueue: RunQueue;
  chain: MarketChain;
}): Promise<ReconcileOutcome> {
  const { schedule, store, runQueue, chain } = options;
  if (schedule.status !== "active" && schedule.status !== "paused") return { ok: true, repaired: [] };
  const outcome = await restore(schedule, runQueue, chain, async () => {
    // Read again under the schedule's lock in the queue: the buyer may have paused or ended it since.
    const now = await store.schedules.get(schedule.id);
    return now?.status === "active" || now?.status === "paused" ? now.status : undefined;
  });
  const problem = outcome.ok ? null : outcome.problem;
  if (problem !== schedule.schedulerProblem) await store.schedules.setSchedulerProblem(schedule.id, problem);
  return outcome;
}

async function restore(
  schedule: ScheduleRecord,
  runQueue: RunQueue,
  chain: MarketChain,
  storedStatus: () => Promise<StoredScheduleStatus>,
): Promise<ReconcileOutcome> {
  const deployment = chain.deployment();
  if (!deployment) {
    return { ok: false, problem: "The workbench does not know its market contract yet, so this schedule's job scheduler cannot be restored." };
  }
  if (schedule.repeat === null) {
    return { ok: false, problem: "This schedule was made before the workbench kept how often it runs, so its job scheduler cannot be restored; create it again." };
  }
  const parsed = standingAuthorizationJson.safeParse(schedule.authorization);
  if (!parsed.success) {
    return { ok: false, problem: "This schedule's standing authorization is not one the market takes any more (it was signed before authorizations named their first reading); create it again." };
  }
  const authorization = schedule.authorization as StandingAuthorizationJson;
  if (standingAuthorizationDigest(domainOf(deployment), authorization).toLowerCase() !== schedule.authorizationDigest.toLowerCase()) {
    return { ok: false, problem: `This schedule was signed for another market than ${deployment.address} on chain ${deployment.chainId}, so it cannot run here.` };
  }
  const input: ScheduleInput = {
    market: { chainId: deployment.chainId, address: deployment.address },
    authorization,
    signature: schedule.signature,
    recipe: { source: schedule.source, params: schedule.params ?? {} },
    repeat: schedule.repeat,
    origin: { userId: schedule.owner, ...(schedule.notebookId && { notebookId: schedule.notebookId }), ...(schedule.cellId && { cellId: schedule.cellId }) },
  };
  try {
    const { repaired } = await runQueue.reconcileSchedule(input, storedStatus);
    return { ok: true, repaired };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `The queue could not restore this schedule's job scheduler: ${message}` };
  }
}

/** The worker's record of a tick attempt, as the store keeps it. */
export function toNewAttempt(attempt: ReportAttempt, id: string): NewScheduleAttempt {
  return {
    id,
    attemptKey: attempt.key,
    outcome: attempt.outcome,
    reason: attempt.reason ?? null,
    code: attempt.code ?? null,
    willRetry: attempt.willRetry ?? false,
    chainRunId: attempt.runId ?? null,
    at: new Date(attempt.at),
  };
}
