import { describe, expect, it, vi } from "vitest";
import { PrivacyMode } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { testDataset } from "../datasets/testing";
import { ApiError } from "../api/http";
import type { PreparedRun, RunDto, RunListener } from "../api/runs-api";
import { check, planRecipe, planToJSON, type Plan } from "../lib/recipes";
import { IDLE, type CellStatus } from "./cell-status";
import { checkPreparedRun } from "./consent";
import { decryptRestored, restoreRun, runCell, type BuyerAccount, type RunnableCell, type RunServices } from "./executor";
import { decryptionProblem } from "./run-services";

const BUYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const greenhouse: Dataset = testDataset({ firstTimestamp: 1_000, lastTimestamp: 100_000 });
const SOURCE = 'from "greenhouse" window last 100 readings\nmean(temperature)\ncount()\n';

function planFor(source: string): Plan {
  const checked = check({ source });
  if (!checked.ok) throw new Error("bad fixture");
  const result = planRecipe({ ir: checked.ir, dataset: { id: "1", scale: 2, offset: -5000, k: 10, readingCount: 100, unit: "°C" }, now: 0 });
  if (!result.ok) throw new Error(result.error.message);
  return result.plan;
}

function prepared(plan: Plan, overrides: Partial<PreparedRun["request"]> = {}): PreparedRun {
  return {
    datasetId: "1",
    programHash: plan.programHash,
    window: plan.window,
    steps: plan.steps.length,
    totalHcu: plan.totalHcu,
    notes: [],
    requiredKinds: ["COUNT", "MEAN"],
    approved: true,
    missingKinds: [],
    accessExpiresAt: 9_999_999_999,
    plan: planToJSON(plan),
    request: {
      buyer: BUYER,
      datasetId: "1",
      programHash: plan.programHash,
      fromIndex: String(plan.window.fromIndex),
      toIndex: String(plan.window.toIndex),
      nonce: "42",
      deadline: "9999999999",
      maxPayment: "0",
      ...overrides,
    },
    typedData: { domain: { name: "IoTDataMarket", version: "1", chainId: 31337, verifyingContract: MARKET }, types: {}, primaryType: "RunRequest" },
    quote: { gasPriceWei: "0", relayerGas: "0", relayerWei: "0", sellerWei: "0", totalWei: "0" },
    privacy: null,
  };
}

function run(status: RunDto["status"], extra: Partial<RunDto> = {}): RunDto {
  return {
    id: "run-1",
    buyer: BUYER,
    notebookId: "nb",
    cellId: "cell",
    scheduleId: null,
    datasetId: "1",
    marketAddress: null,
    programHash: "0x",
    source: SOURCE,
    params: null,
    fromIndex: 0,
    toIndex: 100,
    status,
    progress: { stepsDone: 0, stepsTotal: null, cursorIndex: null },
    chainRunId: null,
    plan: planToJSON(planFor(SOURCE)),
    resultHandles: null,
    txHashes: [],
    error: null,
    stale: null,
    createdAt: "",
    updatedAt: "",
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

const account: BuyerAccount = { address: BUYER, signTypedData: vi.fn(async () => `0x${"1".repeat(130)}`) };

function world(overrides: Partial<RunServices> = {}) {
  const plan = planFor(SOURCE);
  let listener: RunListener | undefined;
  const services: RunServices = {
    resolveDataset: async () => greenhouse,
    account: async () => account,
    market: () => MARKET,
    chainId: () => 31337,
    prepare: vi.fn(async () => prepared(plan)),
    submit: vi.fn(async () => run("queued")),
    follow: (_id, l) => {
      listener = l;
      return () => {};
    },
    getRun: async () => run("done"),
    // 100 readings of 21.50 °C: encoded 2150 + 5000 = 7150 each.
    decrypt: vi.fn(async () => [715_000n, 100n]),
    ...overrides,
  };
  return { services, plan, emit: () => listener! };
}

const cell = (source = SOURCE): RunnableCell => ({ id: "cell", kind: "recipe", source, datasetId: "1", execution: IDLE });
const notebook = { id: "nb", flush: async () => {} };

describe("runCell", () => {
  it("goes queued → running (step i of n) → decrypting → done with the decrypted numbers", async () => {
    const { services, emit } = world();
    const target = cell();
    const seen: CellStatus[] = [];
    const scheduled = vi.fn();
    const promise = runCell({ cell: target, notebook, services, onScheduled: scheduled });
    await vi.waitFor(() => expect(scheduled).toHaveBeenCalled());
    seen.push(target.execution.status);
    emit().onProgress({ phase: "stepping", step: 1, of: 2, txHash: `0x${"a".repeat(64)}` });
    expect(target.execution).toMatchObject({ status: "running", progress: { step: 1, of: 2 } });
    emit().onRun(run("done", { resultHandles: [`0x${"0".repeat(63)}1`, `0x${"0".repeat(63)}2`], txHashes: [`0x${"a".repeat(64)}`] }));
    await expect(promise).resolves.toBe(true);
    expect(seen).toEqual(["queued"]);
    expect(target.execution.status).toBe("done");
    expect(target.execution.txHashes).toEqual([`0x${"a".repeat(64)}`]);
    expect(target.execution.results).toEqual([
      expect.objectContaining({ label: "mean(temperature)", type: "value", value: expect.objectContaining({ text: "21.50" }), unit: "°C" }),
      expect.objectContaining({ label: "count()", type: "count", count: 100 }),
    ]);
    expect(account.signTypedData).toHaveBeenCalledWith(
      expect.objectContaining({ name: "IoTDataMarket", version: "1", chainId: 31337, verifyingContract: MARKET }),
      expect.objectContaining({ RunRequest: expect.any(Array) }),
      expect.objectContaining({ buyer: BUYER, nonce: "42" }),
    );
  });

  it("stops at a recipe with errors before asking the service", async () => {
    const { services } = world();
    const target = cell('from "greenhouse" window all\nmaen(temperature)\n');
    await expect(runCell({ cell: target, notebook, services })).resolves.toBe(false);
    expect(target.execution.status).toBe("error");
    expect(target.execution.error?.message).toMatch(/^The recipe has 1 error; line 2: Unknown statistic 'maen'.*'mean'\?$/);
    expect(services.prepare).not.toHaveBeenCalled();
  });

  it("shows the service's refusal where the user ran the cell", async () => {
    const { services } = world({
      prepare: async () => {
        throw new ApiError("ERR_RUN_KIND_NOT_APPROVED", "The seller has not approved histogram on dataset 1.", 422);
      },
    });
    const target = cell();
    await runCell({ cell: target, notebook, services });
    expect(target.execution).toMatchObject({ status: "error", error: { message: "The seller has not approved histogram on dataset 1.", code: "ERR_RUN_KIND_NOT_APPROVED" } });
  });

  it("names the dataset when the buyer has no access, keeping the code the cell offers a purchase for", async () => {
    const { services } = world({
      prepare: async () => {
        throw new ApiError("ERR_DATASET_NO_ACCESS", `${BUYER} has no access to dataset 1; purchase an access period first.`, 403);
      },
    });
    const target = cell();
    expect(await runCell({ cell: target, notebook, services })).toBe(false);
    expect(target.execution).toMatchObject({
      status: "error",
      error: { message: "You have no access to greenhouse (dataset #1) yet; buy an access period to run recipes on it.", code: "ERR_DATASET_NO_ACCESS" },
    });
  });

  it("refuses before asking the wallet to sign when the chain says the buyer has no access", async () => {
    const { services } = world({ accessExpiry: async () => 0 });
    const target = cell();
    expect(await runCell({ cell: target, notebook, services })).toBe(false);
    expect(target.execution.error).toEqual({ message: "You have no access to greenhouse (dataset #1) yet; buy an access period to run recipes on it.", code: "ERR_DATASET_NO_ACCESS" });
    expect(services.prepare).not.toHaveBeenCalled();
  });

  it("says when the buyer's access has ended", async () => {
    const { services } = world({ accessExpiry: async () => Math.floor(Date.now() / 1000) - 60 });
    const target = cell();
    await runCell({ cell: target, notebook, services });
    expect(target.execution.error?.code).toBe("ERR_DATASET_ACCESS_EXPIRED");
    expect(target.execution.error?.message).toBe("Your access to greenhouse (dataset #1) has ended; buy another period to run recipes on it.");
  });

  it("shows a contract rejection reported by the run", async () => {
    const { services, emit } = world();
    const target = cell();
    const promise = runCell({ cell: target, notebook, services });
    await vi.waitFor(() => expect(services.submit).toHaveBeenCalled());
    emit().onRun(run("error", { error: { code: "RecipeKindNotApproved", message: "The seller has not approved MEAN recipes on dataset 1." } }));
    await expect(promise).resolves.toBe(false);
    expect(target.execution.error?.message).toBe("The seller has not approved MEAN recipes on dataset 1.");
  });

  it("refuses to sign a request for another program than the recipe's", async () => {
    const { services, plan } = world();
    services.prepare = async () => prepared(plan, { programHash: `0x${"9".repeat(64)}` });
    const target = cell();
    await runCell({ cell: target, notebook, services });
    expect(target.execution.error?.message).toBe("Not signed: the request names another program.");
    expect(services.submit).not.toHaveBeenCalled();
  });

  it("asks for a wallet when none is signed in", async () => {
    const { services } = world({ account: async () => ({ missing: "Connect a wallet and sign in to run recipes." }) });
    const target = cell();
    await runCell({ cell: target, notebook, services });
    expect(target.execution.error?.message).toBe("Connect a wallet and sign in to run recipes.");
  });

  it("polls the run when the event stream is lost", async () => {
    const handles = [`0x${"0".repeat(63)}1`, `0x${"0".repeat(63)}2`];
    const { services, emit } = world({ getRun: async () => run("done", { resultHandles: handles }) });
    const target = cell();
    const promise = runCell({ cell: target, notebook, services, pollMs: 1 });
    await vi.waitFor(() => expect(services.submit).toHaveBeenCalled());
    emit().onStreamError("lost");
    await expect(promise).resolves.toBe(true);
  });
});

describe("consent check", () => {
  it("accepts the request for exactly the recipe's program, buyer, dataset and window", () => {
    const plan = planFor(SOURCE);
    const ir = check({ source: SOURCE });
    if (!ir.ok) throw new Error("fixture");
    expect(checkPreparedRun({ prepared: prepared(plan), ir: ir.ir, dataset: greenhouse, buyer: BUYER, market: MARKET, chainId: 31337 }).ok).toBe(true);
    const other = checkPreparedRun({ prepared: prepared(plan, { buyer: MARKET, toIndex: "90" }), ir: ir.ir, dataset: greenhouse, buyer: BUYER, market: MARKET, chainId: 31337 });
    expect(other).toEqual({ ok: false, message: "Not signed: the request is for another account; the request's window differs from the plan's." });
  });
});

describe("runs on a private dataset", () => {
  // Clamped to [−40, 60] °C, budget ε 1, ε 0.5 to 1 per statistic: the default ε 1 spends the whole budget.
  const privacy = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 1000, minEpsilon: 500, maxEpsilon: 1000 };
  const vault: Dataset = { ...greenhouse, privacy };
  const privatePlan = (source: string, spent: number) => {
    const checked = check({ source });
    if (!checked.ok) throw new Error("bad fixture");
    const result = planRecipe({
      ir: checked.ir,
      dataset: { id: "1", scale: 2, offset: -5000, k: 10, readingCount: 100, unit: "°C", privacy: { mode: "private", lowerBound: 1000n, upperBound: 11000n, budget: 1000, minEpsilon: 500, maxEpsilon: 1000 } },
      now: 0,
      privacySpent: spent,
    });
    if (!result.ok) throw new Error(result.error.message);
    return result.plan;
  };

  it("signs the ε the recipe resolves to, and nothing else", () => {
    const ir = check({ source: SOURCE });
    if (!ir.ok) throw new Error("fixture");
    const plan = privatePlan(SOURCE, 0);
    expect(checkPreparedRun({ prepared: prepared(plan), ir: ir.ir, dataset: vault, buyer: BUYER, market: MARKET, chainId: 31337 }).ok).toBe(true);
    // A service that planned ε 0.5 where the recipe spends the default ε 1 is not signed for.
    const cheaper = privatePlan(SOURCE.replace("mean(temperature)", "mean(temperature) privacy 0.5"), 0);
    expect(checkPreparedRun({ prepared: prepared(cheaper), ir: ir.ir, dataset: vault, buyer: BUYER, market: MARKET, chainId: 31337 })).toEqual({
      ok: false,
      message: "Not signed: the planned program is not the one your recipe asks for; the request names another program.",
    });
  });

  it("does not sign a run the budget cannot pay for, and says so in a sentence", async () => {
    const plan = privatePlan(SOURCE, 1000);
    const { services } = world({ resolveDataset: async () => vault, prepare: vi.fn(async () => prepared(plan)) });
    const target = cell();
    await runCell({ cell: target, notebook, services });
    expect(target.execution.error?.message).toBe(
      "This run needs ε 1 but nothing is left of your budget of ε 1 on readings 0 to 99: the contract will refuse it. Choose a smaller ε, fewer statistics or other readings.",
    );
    expect(services.submit).not.toHaveBeenCalled();
  });
});

describe("a notebook reopened", () => {
  const handles = [`0x${"0".repeat(63)}1`, `0x${"0".repeat(63)}2`];

  it("shows the cell's last run without decrypting it, then decrypts when asked", async () => {
    const { services } = world();
    const target = cell();
    await restoreRun({ cell: target, run: run("done", { resultHandles: handles, txHashes: ["0xa"] }), services });
    expect(target.execution).toMatchObject({ status: "done", runId: "run-1", txHashes: ["0xa"], window: { fromIndex: 0, toIndex: 100 } });
    expect(target.execution.results).toBeUndefined();
    expect(services.decrypt).not.toHaveBeenCalled();
    await expect(decryptRestored({ cell: target, services })).resolves.toBe(true);
    expect(target.execution.results?.map((r) => r.label)).toEqual(["mean(temperature)", "count()"]);
  });

  it("never offers a run of a previous chain for decryption", async () => {
    const { services } = world();
    const target = cell();
    const stale = "The chain was reset. This run was made on the previous chain: its results were never on this one and cannot be decrypted.";
    await restoreRun({ cell: target, run: run("done", { resultHandles: handles, stale }), services });
    expect(target.execution.restored?.stale).toBe(stale);
    await expect(decryptRestored({ cell: target, services })).resolves.toBe(false);
    expect(services.decrypt).not.toHaveBeenCalled();
    expect(target.execution.results).toBeUndefined();
  });

  it("says in words why a handle cannot be decrypted, instead of the relayer's raw refusal", () => {
    const raw = new Error(`User 0x${"1".repeat(40)} is not authorized to user decrypt handle 0x${"2".repeat(64)}!`);
    expect(decryptionProblem(raw)).toMatch(/^These results cannot be decrypted with this account: .* Run the recipe again\.$/);
    expect(decryptionProblem(new Error("The relayer does not answer."))).toBe("The relayer does not answer.");
  });

  it("follows a run that is still going to its end", async () => {
    const { services, emit } = world();
    const target = cell();
    const restoring = restoreRun({ cell: target, run: run("running"), services });
    expect(target.execution.status).toBe("running");
    emit().onRun(run("error", { error: { code: "AccessExpired", message: "Your access expired." } }));
    await restoring;
    expect(target.execution).toMatchObject({ status: "error", error: { message: "Your access expired." } });
  });
});
