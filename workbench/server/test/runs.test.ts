/**
 * Runs end to end: a local Hardhat node with the fhevm mock, the market deployed, real Redis, a real
 * worker in this process, the workbench listening on a loopback port. A buyer signs in with a real
 * SIWE signature, writes a recipe cell, plans it, signs the RunRequest (EIP-712), submits it, follows
 * its server-sent events and user-decrypts the result handles to the plaintext statistic; everyone
 * else sees nothing. Every rejection is a 4xx with a sentence, and leaves the store and the queue as
 * they were.
 */
import { hashMessage, parseEther, TypedDataEncoder, Wallet, type Contract, type TypedDataDomain, type TypedDataField } from "ethers";
import { deployContractWallet } from "@iotdm/contracts-client/deploy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interpretResults, PlanSchema, ROLLUP } from "@iotdm/recipes";
import type { WorkerRuntime } from "@iotdm/worker";
import type { App } from "../app";
import type { ErrorCode } from "../errors";
import { createStore, type Store } from "../store/store";
import { as, expectError, signIn, type TestUser } from "./support/app";
import { snapshotStore } from "./support/backends";
import { startMarketFixture, temperatures, type TestDataset, type MarketFixture } from "@iotdm/worker/testing";
import { buyerWithNotebook, readEventStream, startTestWorker, startWorkbenchApp, testQueueName } from "./support/workbench";

const MEAN_RECIPE = 'param hot = 25 "hot above (°C)"\nfrom "greenhouse" window all\nmean(temperature)\ncount(temperature > hot)\nmax(temperature)';

describe("runs on the chain, end to end", () => {
  let fixture: MarketFixture;
  let dataset: TestDataset;
  let store: Store;
  let app: App;
  let address: string;
  let worker: WorkerRuntime | undefined;
  let queue: ReturnType<typeof testQueueName>;
  let buyer: TestUser;
  let notebookId: string;
  let cellId: string;

  beforeAll(async () => {
    fixture = await startMarketFixture();
    dataset = await fixture.purchasedDataset({ k: 8, readings: temperatures(64) });
    store = createStore({ kind: "sqlite", path: ":memory:" });
    await store.migrate();
    queue = testQueueName("workbench-runs");
    ({ app, address } = await startWorkbenchApp({ store, fixture, queueName: queue.name }));
    worker = await startTestWorker(fixture, queue.name);
    await app.indexer.whenCaughtUp();

    ({ buyer, notebookId, cellId } = await buyerWithNotebook(app, fixture, { dataset, title: "Greenhouse", source: MEAN_RECIPE }));
  });

  afterAll(async () => {
    await worker?.close({ release: false });
    await app?.close();
    await store?.close();
    await queue?.dispose();
    await fixture?.stop();
  });

  /** Plans `source` as the buyer's browser does and signs the suggested RunRequest with `signer`. */
  async function planAndSign(options: { user?: TestUser; source?: string; signer?: Wallet; request?: Record<string, string> } = {}) {
    const user = options.user ?? buyer;
    const planned = await as(app, user, {
      method: "POST",
      url: "/api/runs/plan",
      payload: { datasetId: dataset.id.toString(), source: options.source ?? MEAN_RECIPE },
    });
    expect(planned.statusCode, planned.body).toBe(200);
    const plan = planned.json();
    const request = { ...plan.request, ...options.request };
    const signature = await (options.signer ?? user.wallet).signTypedData(plan.typedData.domain, plan.typedData.types, request);
    return { plan, request, signature };
  }

  const submit = (user: TestUser, body: Record<string, unknown>) =>
    as(app, user, { method: "POST", url: "/api/runs", payload: { notebookId, cellId, datasetId: dataset.id.toString(), source: MEAN_RECIPE, ...body } });

  it("plans, runs a signed request, streams its progress, and the buyer decrypts the results to the plaintext statistics", async () => {
    const { plan, request, signature } = await planAndSign();
    expect(plan).toMatchObject({
      datasetId: dataset.id.toString(),
      window: { fromIndex: 0, toIndex: 64, length: 64 },
      requiredKinds: ["MEAN", "MAX", "COUNT_IF"],
      approved: true,
      missingKinds: [],
      typedData: { primaryType: "RunRequest", domain: { name: "IoTDataMarket", version: "1", chainId: 31337, verifyingContract: fixture.address } },
    });
    expect(plan.steps).toBeGreaterThanOrEqual(1);

    const created = await submit(buyer, { request, signature });
    expect(created.statusCode, created.body).toBe(201);
    const run = created.json();
    expect(run).toMatchObject({ status: "queued", buyer: buyer.address, notebookId, cellId, fromIndex: 0, toIndex: 64, marketAddress: fixture.address });

    // Behind the session cookie, as a browser's EventSource would follow it.
    const response = await fetch(`${address}/api/runs/${run.id}/events`, { headers: { cookie: `wb_session=${buyer.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { events } = await readEventStream(response);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("queued");
    expect(names[1]).toBe("running");
    expect(names.at(-1)).toBe("done");
    const steps = events.filter((e) => e.event === "step").map((e) => e.data as { step: number; of: number; txHash: string });
    expect(steps.map((s) => `${s.step}/${s.of}`)).toEqual(Array.from({ length: plan.steps }, (_, i) => `${i + 1}/${plan.steps}`));
    expect(steps.every((s) => /^0x[0-9a-f]{64}$/.test(s.txHash))).toBe(true);
    const done = events.at(-1)!.data as { status: string; resultHandles: string[] };
    expect(done.status).toBe("done");

    const stored = (await as(app, buyer, { method: "GET", url: `/api/runs/${run.id}` })).json();
    expect(stored).toMatchObject({ status: "done", progress: { stepsDone: plan.steps, stepsTotal: plan.steps }, error: null, stale: null });
    expect(stored.resultHandles).toEqual(done.resultHandles);
    expect(stored.txHashes).toHaveLength(plan.steps + 1);

    // The buyer's browser: decrypt the handles with the buyer's key, interpret them with the plan.
    const runPlan = PlanSchema.parse(stored.plan);
    const decrypted = await fixture.decrypt({
      signer: fixture.accounts.buyer,
      handles: stored.resultHandles.map((handle: string, i: number) => ({ handle, type: runPlan.handles[i]!.type })),
    });
    const [mean, hot, max] = interpretResults({ plan: runPlan, decrypted });
    const values = dataset.values.slice(0, 64);
    expect((mean as { value: { number: number } }).value.number).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 3);
    expect(hot).toMatchObject({ type: "count", count: values.filter((v) => v > 25).length });
    expect((max as { value: { number: number } }).value.number).toBe(Math.max(...values));

    // The same signed request again: the same run, nothing new.
    const again = await submit(buyer, { request, signature });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(run.id);

    const listed = (await as(app, buyer, { method: "GET", url: `/api/notebooks/${notebookId}/runs?cellId=${cellId}` })).json();
    expect(listed.items.map((r: { id: string }) => r.id)).toEqual([run.id]);

    // A stream opened after the end replays the history and ends; Last-Event-ID skips what was seen.
    const replay = await readEventStream(await fetch(`${address}/api/runs/${run.id}/events`, { headers: buyer.headers }));
    expect(replay.events.map((e) => e.event)).toEqual(names);
    const resumed = await readEventStream(
      await fetch(`${address}/api/runs/${run.id}/events`, { headers: { ...buyer.headers, "last-event-id": events.at(-2)!.id! } }),
    );
    expect(resumed.events.map((e) => e.event)).toEqual(["done"]);

    // Nobody else can read the run, its events, or the notebook's runs.
    const stranger = await signIn(app, Wallet.createRandom() as unknown as Wallet);
    expectError(await as(app, stranger, { method: "GET", url: `/api/runs/${run.id}` }), 404, "ERR_RUN_NOT_FOUND");
    expectError(await as(app, stranger, { method: "GET", url: `/api/runs/${run.id}/events` }), 404, "ERR_RUN_NOT_FOUND");
    expectError(await as(app, stranger, { method: "GET", url: `/api/notebooks/${notebookId}/runs` }), 404, "ERR_NOTEBOOK_NOT_FOUND");
    // Nor decrypt its results: only the buyer is allowed on them.
    await expect(
      fixture.decrypt({ signer: fixture.accounts.otherBuyer, handles: [{ handle: stored.resultHandles[0], type: runPlan.handles[0]!.type }] }),
    ).rejects.toThrow(/not authorized/i);
  });

  it("runs a contract wallet's request end to end: the service accepts its ERC-1271 signature, and so does the worker", async () => {
    // A smart-contract account owned by a fresh key: it signs in, buys access and consents through that key.
    const owner = Wallet.createRandom().connect(fixture.provider);
    await (await fixture.accounts.admin.sendTransaction({ to: owner.address, value: parseEther("1") })).wait();
    const contractWallet = await deployContractWallet({ signer: fixture.accounts.admin, owner: owner.address });
    const walletAddress = await contractWallet.getAddress();
    const price = (await fixture.as(fixture.accounts.buyer).datasetInfo(dataset.id)).pricePerPeriod as bigint;
    const purchase = fixture.as(fixture.accounts.buyer).interface.encodeFunctionData("purchaseAccess", [dataset.id, 1]);
    await (await (contractWallet.connect(owner) as Contract).getFunction("execute")(fixture.address, price, purchase, { value: price })).wait();
    const signer = {
      address: walletAddress,
      signMessage: async (message: string) => owner.signingKey.sign(hashMessage(message)).serialized,
      signTypedData: async (...typed: Parameters<typeof TypedDataEncoder.hash>) => owner.signingKey.sign(TypedDataEncoder.hash(...typed)).serialized,
    } as unknown as Wallet;

    const user = await signIn(app, signer);
    expect(user.address).toBe(walletAddress);
    const notebook = (await as(app, user, { method: "POST", url: "/api/notebooks", payload: { title: "Contract wallet" } })).json();
    const cell = (
      await as(app, user, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", source: MEAN_RECIPE, datasetId: dataset.id.toString() } })
    ).json();
    const { request, signature } = await planAndSign({ user });
    const created = await as(app, user, {
      method: "POST",
      url: "/api/runs",
      payload: { notebookId: notebook.id, cellId: cell.id, datasetId: dataset.id.toString(), source: MEAN_RECIPE, request, signature },
    });
    expect(created.statusCode, created.body).toBe(201);

    const { events } = await readEventStream(await fetch(`${address}/api/runs/${created.json().id}/events`, { headers: user.headers }));
    expect(events.at(-1)!.event, JSON.stringify(events.at(-1)!.data)).toBe("done");
    const stored = (await as(app, user, { method: "GET", url: `/api/runs/${created.json().id}` })).json();
    expect(stored).toMatchObject({ status: "done", buyer: walletAddress, error: null });
  });

  it("shows a run the contract rejected as failed, with the contract's reason in words", async () => {
    // The worker is stopped while the seller pauses the dataset between the checks and the start.
    await worker?.close({ release: false });
    worker = undefined;
    const { request, signature } = await planAndSign({ source: 'from "greenhouse" window last 16 readings\nsum(temperature)' });
    const created = await submit(buyer, { request, signature, source: 'from "greenhouse" window last 16 readings\nsum(temperature)' });
    expect(created.statusCode, created.body).toBe(201);
    await (await fixture.as(fixture.accounts.seller).pauseDataset(dataset.id)).wait();
    try {
      worker = await startTestWorker(fixture, queue.name);
      const { events } = await readEventStream(await fetch(`${address}/api/runs/${created.json().id}/events`, { headers: buyer.headers }));
      expect(events.map((e) => e.event)).toEqual(["queued", "failed"]);
      expect(events[1]!.data).toMatchObject({
        status: "error",
        error: { code: "DatasetIsPaused", message: expect.stringContaining(`Dataset ${dataset.id} is paused by its seller.`) },
      });
    } finally {
      await (await fixture.as(fixture.accounts.seller).unpauseDataset(dataset.id)).wait();
    }
  });

  describe("rejections: a 4xx with a sentence, and nothing written or enqueued", () => {
    async function expectRejected(
      send: () => Promise<Awaited<ReturnType<typeof submit>>>,
      status: number,
      code: ErrorCode,
      message: RegExp,
    ): Promise<void> {
      await app.indexer.whenCaughtUp();
      const before = await snapshotStore(store);
      const jobsBefore = await app.runQueue.queue.getJobCounts();
      const error = expectError(await send(), status, code);
      expect(error.message).toMatch(message);
      expect(await snapshotStore(store)).toEqual(before);
      expect(await app.runQueue.queue.getJobCounts()).toEqual(jobsBefore);
    }

    it("a buyer without access to the dataset", async () => {
      const other = await signIn(app, fixture.accounts.otherBuyer);
      const notebook = (await as(app, other, { method: "POST", url: "/api/notebooks", payload: { title: "mine" } })).json();
      const cell = (await as(app, other, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", source: MEAN_RECIPE } })).json();
      const { request, signature } = await planAndSign({ user: other });
      await expectRejected(
        () => as(app, other, { method: "POST", url: "/api/runs", payload: { notebookId: notebook.id, cellId: cell.id, datasetId: dataset.id.toString(), source: MEAN_RECIPE, request, signature } }),
        403,
        "ERR_DATASET_NO_ACCESS",
        /has no access to dataset \d+; purchase an access period first/,
      );
    });

    it("a recipe type the seller did not approve", async () => {
      const source = 'from "greenhouse" window all\nhistogram(temperature, [10, 20, 30])';
      const { plan, request, signature } = await planAndSign({ source });
      expect(plan).toMatchObject({ approved: false, missingKinds: ["HISTOGRAM"] });
      await expectRejected(() => submit(buyer, { request, signature, source }), 403, "ERR_DATASET_KIND_NOT_APPROVED", /has not approved HISTOGRAM on dataset/);
    });

    it("a signature that is not the buyer's", async () => {
      const { request, signature } = await planAndSign({ signer: fixture.accounts.otherBuyer });
      await expectRejected(() => submit(buyer, { request, signature }), 400, "ERR_RUN_SIGNATURE_INVALID", /is not 0x[0-9a-fA-F]{40}'s EIP-712 signature/);
    });

    it("a recipe that is not the program the buyer signed", async () => {
      const { request, signature } = await planAndSign();
      await expectRejected(
        () => submit(buyer, { request, signature, source: 'from "greenhouse" window all\nmin(temperature)' }),
        422,
        "ERR_RUN_PROGRAM_MISMATCH",
        /compiles to program 0x[0-9a-f]{64}, but the signature covers program/,
      );
    });

    it("a window that is not aligned to k", async () => {
      const { request, signature } = await planAndSign({ request: { fromIndex: "3", toIndex: "16" } });
      await expectRejected(() => submit(buyer, { request, signature }), 422, "ERR_RUN_WINDOW_INVALID", /must start and end on multiples of the dataset's bucket size 8/);
    });

    it("a window beyond the readings appended", async () => {
      const { request, signature } = await planAndSign({ request: { fromIndex: "0", toIndex: "800" } });
      await expectRejected(() => submit(buyer, { request, signature }), 422, "ERR_RUN_WINDOW_INVALID", /beyond the 64 readings appended/);
    });

    it("a request whose deadline has passed", async () => {
      const { request, signature } = await planAndSign({ request: { deadline: "1000" } });
      await expectRejected(() => submit(buyer, { request, signature }), 422, "ERR_RUN_REQUEST_EXPIRED", /expired at 1970-01-01T00:16:40.000Z/);
    });

    it("a recipe with errors, with the checker's diagnostics", async () => {
      const source = 'from "greenhouse" window all\nmeen(temperature)';
      const planned = await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: dataset.id.toString(), source } });
      const error = expectError(planned, 422, "ERR_RECIPE_INVALID");
      expect(error.details).toMatchObject({ diagnostics: [{ line: 2, column: 1, code: "unknown-statistic", message: expect.stringContaining("mean") }] });
    });

    it("a run of someone else's notebook", async () => {
      const other = await signIn(app, fixture.accounts.otherBuyer);
      const { request, signature } = await planAndSign({ user: other });
      await expectRejected(
        () => as(app, other, { method: "POST", url: "/api/runs", payload: { notebookId, cellId, datasetId: dataset.id.toString(), source: MEAN_RECIPE, request, signature } }),
        404,
        "ERR_NOTEBOOK_NOT_FOUND",
        /was not found/,
      );
    });
  });

  describe("plans over a dataset's rollups (RollupsChosen, indexed)", () => {
    /** k = 8, the sum rollup over blocks of 8, 256 readings: a per-reading mean over them takes several steps. */
    let rolled: TestDataset;
    /** k = 1 (rollup blocks of 2), the sum rollup: windows of an odd start are not aligned to the blocks. */
    let unaligned: TestDataset;

    beforeAll(async () => {
      rolled = await fixture.createDataset({ k: 8, name: "rolled", rollups: ROLLUP.SUM });
      unaligned = await fixture.createDataset({ k: 1, name: "unaligned", rollups: ROLLUP.SUM });
      await fixture.appendReadings(rolled, temperatures(256));
      await fixture.appendReadings(unaligned, temperatures(64));
      await fixture.purchaseAccess(rolled, fixture.accounts.buyer);
      await app.indexer.whenCaughtUp();
    });

    const planOf = async (of: TestDataset, source: string) => {
      const planned = await as(app, buyer, { method: "POST", url: "/api/runs/plan", payload: { datasetId: of.id.toString(), source } });
      expect(planned.statusCode, planned.body).toBe(200);
      return planned.json();
    };

    /** Signs a plan of `rolled` as the buyer, submits it and follows its events to the end. */
    const runSigned = async (plan: { typedData: { domain: TypedDataDomain; types: Record<string, TypedDataField[]> }; request: Record<string, string> }, source: string) => {
      const signature = await buyer.wallet.signTypedData(plan.typedData.domain, plan.typedData.types, plan.request);
      const created = await submit(buyer, { datasetId: rolled.id.toString(), source, request: plan.request, signature });
      expect(created.statusCode, created.body).toBe(201);
      const id: string = created.json().id;
      const { events } = await readEventStream(await fetch(`${address}/api/runs/${id}/events`, { headers: { cookie: `wb_session=${buyer.token}` } }));
      return { id, events };
    };

    it("plans a mean over a dataset with the sum rollup as one step over the rollups, and the worker runs it so", async () => {
      const source = 'from "rolled" window all\nmean(temperature)';
      const plan = await planOf(rolled, source);
      expect(plan).toMatchObject({ window: { fromIndex: 0, toIndex: 256 }, steps: 1, plan: { rolledUp: true } });
      // The same window read reading by reading would take more steps.
      expect((await planOf(rolled, 'from "rolled" window all\nmean(temperature)\ncount(temperature > 25)')).steps).toBeGreaterThan(1);

      const { id, events } = await runSigned(plan, source);
      expect(events.filter((e) => e.event === "step").map((e) => (e.data as { step: number; of: number }).of)).toEqual([1]);
      const stored = (await as(app, buyer, { method: "GET", url: `/api/runs/${id}` })).json();
      expect(stored).toMatchObject({ status: "done", progress: { stepsDone: 1, stepsTotal: 1 } });
      const runPlan = PlanSchema.parse(stored.plan);
      const decrypted = await fixture.decrypt({
        signer: fixture.accounts.buyer,
        handles: stored.resultHandles.map((handle: string, i: number) => ({ handle, type: runPlan.handles[i]!.type })),
      });
      const [mean] = interpretResults({ plan: runPlan, decrypted });
      expect((mean as { value: { number: number } }).value.number).toBeCloseTo(rolled.values.reduce((a, b) => a + b, 0) / 256, 3);
    });

    it("takes a rolled-up run signed for its quote: the submission quotes the signed window over the rollups, as the plan did", async () => {
      const admin = fixture.as(fixture.accounts.admin);
      await (await admin.grantRole(await admin.OPERATOR_ROLE(), fixture.accounts.admin.address)).wait();
      try {
        // At a gas price a per-reading quote of the same window would exceed the rolled-up one the buyer signs.
        await (await admin.setRunGasPrice(10n ** 9n)).wait();
        const source = 'from "rolled" window all\nmean(temperature)';
        const plan = await planOf(rolled, source);
        expect(plan).toMatchObject({ steps: 1, plan: { rolledUp: true }, request: { maxPayment: plan.quote.totalWei } });
        expect(BigInt(plan.quote.totalWei)).toBeGreaterThan(0n);
        await (await fixture.as(fixture.accounts.buyer).deposit({ value: BigInt(plan.quote.totalWei) })).wait();
        // It runs to its end (rolled up) before the price returns to 0.
        const { id } = await runSigned(plan, source);
        expect((await as(app, buyer, { method: "GET", url: `/api/runs/${id}` })).json()).toMatchObject({ status: "done", progress: { stepsTotal: 1 } });
      } finally {
        await (await admin.setRunGasPrice(0n)).wait();
      }
    });

    it("reads every reading when the window is not aligned to the rollup blocks, a kind has no rollup, or the dataset keeps none", async () => {
      // 63 readings of a dataset of 64: [1, 64) starts inside a block of 2.
      const odd = await planOf(unaligned, 'from "unaligned" window last 63 readings\nmean(temperature)');
      expect(odd).toMatchObject({ window: { fromIndex: 1, toIndex: 64 }, plan: { rolledUp: false } });
      expect(await planOf(unaligned, 'from "unaligned" window last 64 readings\nmean(temperature)')).toMatchObject({ steps: 1, plan: { rolledUp: true } });
      expect(await planOf(rolled, 'from "rolled" window all\nmean(temperature)\ncount(temperature > 25)')).toMatchObject({ plan: { rolledUp: false } });
      expect(await planOf(dataset, 'from "greenhouse" window all\nmean(temperature)')).toMatchObject({ window: { fromIndex: 0, toIndex: 64 }, plan: { rolledUp: false } });
    });
  });

  describe("pay per run (issue 15)", () => {
    it("quotes a run at the operator's gas price plus the seller's run price, refuses a maximum below the quote or a balance short of it, and the run takes no more than its quote", async () => {
      const admin = fixture.as(fixture.accounts.admin);
      const seller = fixture.as(fixture.accounts.seller);
      const gasPrice = 10n ** 9n;
      const runPrice = parseEther("0.0002");
      // The admin publishes the price as an operator of its own, so the worker's key keeps its nonces to itself.
      await (await admin.grantRole(await admin.OPERATOR_ROLE(), fixture.accounts.admin.address)).wait();
      try {
        await (await admin.setRunGasPrice(gasPrice)).wait();
        await (await seller.setRunPrice(dataset.id, runPrice)).wait();
        const { plan, request, signature } = await planAndSign({ request: { nonce: "5550001" } });
        const { quote } = plan;
        expect(quote).toMatchObject({ gasPriceWei: gasPrice.toString(), sellerWei: runPrice.toString() });
        expect(BigInt(quote.relayerWei)).toBe(BigInt(quote.relayerGas) * gasPrice);
        expect(BigInt(quote.totalWei)).toBe(BigInt(quote.relayerWei) + runPrice);
        expect(request.maxPayment).toBe(quote.totalWei);

        await app.indexer.whenCaughtUp();
        const before = await snapshotStore(store);
        const low = await planAndSign({ request: { nonce: "5550002", maxPayment: (BigInt(quote.totalWei) - 1n).toString() } });
        const below = expectError(await submit(buyer, { request: low.request, signature: low.signature }), 422, "ERR_RUN_PAYMENT_BELOW_QUOTE");
        expect(below.message).toMatch(/agrees to pay at most [\d.]+ ETH, below this run's quote of [\d.]+ ETH \([\d.]+ ETH for the relayer's gas, 0\.0002 ETH for the seller\)/);
        const balance = await admin.balanceOf(fixture.accounts.buyer.address);
        const short = expectError(await submit(buyer, { request, signature }), 402, "ERR_RUN_BALANCE_SHORT");
        expect(short.message).toMatch(/^Your market balance is [\d.]+ ETH, short of the [\d.]+ ETH this run locks at its start: deposit [\d.]+ ETH/);
        expect(await snapshotStore(store)).toEqual(before);

        await (await fixture.as(fixture.accounts.buyer).deposit({ value: BigInt(quote.totalWei) - balance })).wait();
        const created = await submit(buyer, { request, signature });
        expect(created.statusCode, created.body).toBe(201);
        const run = await waitForEnd(created.json().id);
        expect(run.status, JSON.stringify(run.error)).toBe("done");
        const escrow = await admin.runEscrow(BigInt(run.chainRunId));
        expect(escrow.closed).toBe(true);
        expect(escrow.sellerShare).toBe(runPrice);
        expect(escrow.spent <= BigInt(quote.relayerWei), `reimbursed ${escrow.spent} within ${quote.relayerWei}`).toBe(true);
        // What the run did not spend is back in the balance.
        expect(await admin.balanceOf(fixture.accounts.buyer.address)).toBe(BigInt(quote.totalWei) - escrow.spent - runPrice);
      } finally {
        await (await admin.setRunGasPrice(0n)).wait();
        await (await seller.setRunPrice(dataset.id, 0n)).wait();
      }
    });

    async function waitForEnd(runId: string) {
      for (let i = 0; i < 600; i++) {
        const run = (await as(app, buyer, { method: "GET", url: `/api/runs/${runId}` })).json();
        if (run.status === "done" || run.status === "error") return run;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`run ${runId} did not end`);
    }
  });

  describe("cancelling", () => {
    it("removes a queued run from the queue and ends it as cancelled, with nothing sent; a finished run cannot be cancelled", async () => {
      // No worker takes jobs now, so the run stays queued.
      await worker?.close({ release: false });
      worker = undefined;
      const { request, signature } = await planAndSign({ request: { nonce: "987654321" } });
      const created = await submit(buyer, { request, signature });
      expect(created.statusCode, created.body).toBe(201);
      const run = created.json();
      expect(run.status).toBe("queued");
      // It waits first in line; the first run's duration gives the estimate.
      const place = await as(app, buyer, { method: "GET", url: `/api/runs/${run.id}/queue` });
      expect(place.statusCode, place.body).toBe(200);
      expect(place.json()).toMatchObject({ status: "queued", position: 1, ahead: 0, running: 0, estimatedStartSeconds: 0 });
      expect(place.json().typicalRunSeconds).toBeGreaterThan(0);

      const cancelled = await as(app, buyer, { method: "POST", url: `/api/runs/${run.id}/cancel` });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expect(cancelled.json()).toMatchObject({
        id: run.id,
        status: "error",
        error: { code: "CANCELLED", message: "You cancelled the run before it started; nothing was sent." },
        txHashes: [],
      });
      const stored = await store.runs.get(run.id);
      expect(await app.runQueue.queue.getJob(stored!.requestDigest)).toBeUndefined();

      expectError(await as(app, buyer, { method: "POST", url: `/api/runs/${run.id}/cancel` }), 409, "ERR_RUN_FINISHED");
      expect((await as(app, buyer, { method: "GET", url: `/api/runs/${run.id}/queue` })).json()).toMatchObject({ status: "error", position: null });
      const other = await signIn(app, fixture.accounts.otherBuyer);
      expectError(await as(app, other, { method: "POST", url: `/api/runs/${run.id}/cancel` }), 404, "ERR_RUN_NOT_FOUND");
    });
  });
});
