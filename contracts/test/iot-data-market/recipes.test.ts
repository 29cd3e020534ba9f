import { expect } from "chai";
import type { Log } from "ethers";
import { ethers, fhevm } from "hardhat";
import { Comparator, RecipeKind, encodeProgram, op, programHash, type Op } from "@iotdm/contracts-client";
import { increaseTime } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { encode } from "../helpers/stats";
import { expectResultsPrivateTo, shouldMatchPlainTypeScript, type RecipeCase } from "./behaviours";
import {
  THERMOMETER_FP,
  appendValues,
  as,
  dataFixture,
  decryptResults,
  startRun,
  stepToEnd,
} from "./fixture";

const c = (celsius: number) => encode(celsius, THERMOMETER_FP);
const WINDOW: [number, number] = [8, 88];

describe("IoTDataMarket: recipe engine", () => {
  const fixture = dataFixture(96);

  describe("every recipe kind equals plain TypeScript on random readings", () => {
    const cases: RecipeCase[] = [
      { name: "COUNT", ops: [op({ kind: RecipeKind.COUNT })], window: WINDOW },
      { name: "SUM", ops: [op({ kind: RecipeKind.SUM })], window: WINDOW },
      { name: "MEAN", ops: [op({ kind: RecipeKind.MEAN })], window: WINDOW, sizes: [33] },
      { name: "MIN", ops: [op({ kind: RecipeKind.MIN })], window: WINDOW, sizes: [40] },
      { name: "MAX", ops: [op({ kind: RecipeKind.MAX })], window: [0, 96] },
      { name: "COUNT_IF x > 25.00", ops: [op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GT, a: c(25) })], window: WINDOW },
      {
        name: "COUNT_IF + SUM_IF x <= 0.00",
        ops: [
          op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.LE, a: c(0) }),
          op({ kind: RecipeKind.SUM_IF, cmp: Comparator.LE, a: c(0) }),
        ],
        window: WINDOW,
        sizes: [30],
      },
      {
        name: "COUNT_IF + SUM_IF 10.00 <= x <= 20.00",
        ops: [
          op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, a: c(10), b: c(20) }),
          op({ kind: RecipeKind.SUM_IF, cmp: Comparator.BETWEEN, a: c(10), b: c(20) }),
        ],
        window: [16, 64],
      },
      {
        name: "COUNT_IF x >= 30.00 and x < -10.00",
        ops: [
          op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GE, a: c(30) }),
          op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.LT, a: c(-10) }),
        ],
        window: WINDOW,
      },
      {
        name: "HISTOGRAM bounds 0, 10, 20, 30 °C",
        ops: [op({ kind: RecipeKind.HISTOGRAM, bounds: [c(0), c(10), c(20), c(30)] })],
        window: WINDOW,
      },
      { name: "HISTOGRAM one bound", ops: [op({ kind: RecipeKind.HISTOGRAM, bounds: [c(12.5)] })], window: [0, 40] },
      { name: "VARIANCE", ops: [op({ kind: RecipeKind.VARIANCE })], window: WINDOW },
      { name: "ALERT x > 40.00 (some)", ops: [op({ kind: RecipeKind.ALERT, cmp: Comparator.GT, a: c(40) })], window: WINDOW },
      { name: "ALERT x < -25.00 (none)", ops: [op({ kind: RecipeKind.ALERT, cmp: Comparator.LT, a: c(-25) })], window: WINDOW },
      {
        name: "an 8-op program",
        ops: [
          op({ kind: RecipeKind.COUNT }),
          op({ kind: RecipeKind.MEAN }),
          op({ kind: RecipeKind.MIN }),
          op({ kind: RecipeKind.MAX }),
          op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GE, a: c(20) }),
          op({ kind: RecipeKind.SUM_IF, cmp: Comparator.GE, a: c(20) }),
          op({ kind: RecipeKind.HISTOGRAM, bounds: [c(0), c(20)] }),
          op({ kind: RecipeKind.ALERT, cmp: Comparator.LE, a: c(-15) }),
        ],
        window: [0, 48],
      },
    ];
    for (const recipe of cases) shouldMatchPlainTypeScript(fixture, recipe);
  });

  describe("privacy of results", () => {
    const ops = [op({ kind: RecipeKind.MEAN }), op({ kind: RecipeKind.HISTOGRAM, bounds: [c(10)] }), op({ kind: RecipeKind.ALERT, a: c(30) })];

    it("allows the results to the buyer only: seller, relayer, device, another buyer and a stranger cannot decrypt", async () => {
      const f = await fixture();
      const runId = await startRun(f, f.datasetId, ops, 0, 32);
      await stepToEnd(f, runId, { callers: [f.actors.relayer] });
      const { seller, relayer, device, otherBuyer, stranger, buyer } = f.actors;
      await expectResultsPrivateTo(f, runId, ops, buyer, [seller, relayer, device, otherBuyer, stranger]);
    });

    it("grants ACL access on results to the buyer and the market only", async () => {
      const f = await fixture();
      const runId = await startRun(f, f.datasetId, ops, 0, 32);
      await stepToEnd(f, runId);
      const { ACLAddress } = await fhevm.getRelayerMetadata();
      const acl = new ethers.Contract(ACLAddress, ["function persistAllowed(bytes32,address) view returns (bool)"], ethers.provider);
      const others = Object.values(f.actors).filter((signer) => signer !== f.actors.buyer);
      for (const handle of (await f.market.runResults(runId)) as string[]) {
        expect(await acl.persistAllowed(handle, f.actors.buyer.address)).to.equal(true);
        expect(await acl.persistAllowed(handle, f.address)).to.equal(true);
        for (const other of others) expect(await acl.persistAllowed(handle, other.address)).to.equal(false);
      }
    });

    it("keeps each buyer's results from the other buyer", async () => {
      const f = await fixture();
      const { buyer, otherBuyer } = f.actors;
      const mine = await startRun(f, f.datasetId, ops, 0, 16, buyer);
      const theirs = await startRun(f, f.datasetId, ops, 16, 32, otherBuyer);
      await stepToEnd(f, mine);
      await stepToEnd(f, theirs, { callers: [otherBuyer] });
      await expectResultsPrivateTo(f, mine, ops, buyer, [otherBuyer]);
      await expectResultsPrivateTo(f, theirs, ops, otherBuyer, [buyer]);
    });

    it("gives identical computations identical handles, so a second buyer learns nothing new from them", async () => {
      // fhevm handles are derived from the operation and its operands: the same program over the same window yields
      // the same result handles, allowed to both buyers, each of whom computed that very value.
      const f = await fixture();
      const mine = await startRun(f, f.datasetId, ops, 0, 16, f.actors.buyer);
      const theirs = await startRun(f, f.datasetId, ops, 0, 16, f.actors.otherBuyer);
      await stepToEnd(f, mine);
      await stepToEnd(f, theirs, { callers: [f.actors.otherBuyer] });
      expect(await f.market.runResults(mine)).to.deep.equal(await f.market.runResults(theirs));
      expect(await decryptResults(f, mine, ops, f.actors.buyer)).to.deep.equal(
        await decryptResults(f, theirs, ops, f.actors.otherBuyer),
      );
    });

    it("has no results before the last step", async () => {
      const f = await fixture();
      const runId = await startRun(f, f.datasetId, ops, 0, 16);
      await (await as(f.market, f.actors.buyer).step(runId, 8)).wait();
      await expectRevert(f.market.runResults(runId), "RunNotFinished", [runId]);
    });
  });

  describe("interrupted runs", () => {
    const ops: Op[] = [
      op({ kind: RecipeKind.SUM }),
      op({ kind: RecipeKind.MIN }),
      op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.BETWEEN, a: c(5), b: c(25) }),
      op({ kind: RecipeKind.HISTOGRAM, bounds: [c(-5), c(15), c(35)] }),
      op({ kind: RecipeKind.VARIANCE }),
    ];

    it("gives the same result when steps are spread over transactions, callers and new appends", async () => {
      const f = await fixture();
      const oneGo = await startRun(f, f.datasetId, ops, 8, 88);
      await stepToEnd(f, oneGo);
      expect(await f.market.runInfo(oneGo).then((info: { cursor: bigint }) => info.cursor)).to.equal(88n);

      const interrupted = await startRun(f, f.datasetId, ops, 8, 88);
      const { buyer, relayer } = f.actors;
      await (await as(f.market, buyer).step(interrupted, 5)).wait();
      await appendValues(f, f.datasetId, [c(99), c(-49)]); // readings beyond the window change nothing
      await (await as(f.market, relayer).step(interrupted, 7)).wait();
      expect((await f.market.runInfo(interrupted)).cursor).to.equal(20n);
      await stepToEnd(f, interrupted, { sizes: [1, 8, 3], callers: [relayer, buyer] });

      expect(await decryptResults(f, interrupted, ops, buyer)).to.deep.equal(await decryptResults(f, oneGo, ops, buyer));
    });
  });

  describe("run lifecycle", () => {
    const ops = [op({ kind: RecipeKind.SUM })];

    it("records the run, stores the program under its hash and emits RunStarted / RunStepped / RunFinished", async () => {
      const f = await fixture();
      const tx = await as(f.market, f.actors.buyer).startRun(f.datasetId, encodeProgram(ops), 8, 24);
      const started = f.market.interface.parseLog((await tx.wait())!.logs.find((log: Log) => log.address === f.address)!)!;
      expect(started.name).to.equal("RunStarted");
      expect(started.args.programHash).to.equal(programHash(ops));
      expect(started.args.consentDigest).to.equal(ethers.ZeroHash);
      const runId = started.args.runId as bigint;
      const info = await f.market.runInfo(runId);
      expect([info.buyer, info.datasetId, info.fromIndex, info.toIndex, info.cursor, info.finished]).to.deep.equal([
        f.actors.buyer.address,
        f.datasetId,
        8n,
        24n,
        8n,
        false,
      ]);
      const stored = await f.market.program(programHash(ops));
      expect(stored.length).to.equal(1);
      expect(stored[0].kind).to.equal(BigInt(RecipeKind.SUM));

      const [first, last] = await stepToEnd(f, runId, { sizes: [10, 6] });
      const names = (receipt: typeof first) =>
        receipt.logs.filter((log) => log.address === f.address).map((log) => f.market.interface.parseLog(log)!.name);
      expect(names(first)).to.deep.equal(["RunStepped"]);
      expect(names(last)).to.deep.equal(["RunStepped", "RunFinished", "RunSettled"]);
      expect((await f.market.runInfo(runId)).finished).to.equal(true);
    });

    it("rejects bad steps", async () => {
      const f = await fixture();
      const runId = await startRun(f, f.datasetId, ops, 0, 16);
      const buyer = as(f.market, f.actors.buyer);
      await expectRevert(buyer.step(999, 1), "RunNotFound", [999]);
      await expectRevert(as(f.market, f.actors.stranger).step(runId, 1), "NotRunParticipant", [runId, f.actors.stranger.address]);
      await expectRevert(as(f.market, f.actors.seller).step(runId, 1), "NotRunParticipant", [runId, f.actors.seller.address]);
      await expectRevert(buyer.step(runId, 0), "StepOutOfWindow", [0, 16]);
      await expectRevert(buyer.step(runId, 17), "StepOutOfWindow", [17, 16]);
      await (await buyer.step(runId, 16)).wait();
      await expectRevert(buyer.step(runId, 1), "RunAlreadyFinished", [runId]);
      await expectRevert(f.market.runResults(999), "RunNotFound", [999]);
    });

    it("lets a started run finish after the dataset is paused or its kind revoked", async () => {
      const f = await fixture();
      const runId = await startRun(f, f.datasetId, ops, 0, 16);
      await (await as(f.market, f.actors.seller).revokeRecipeKinds(f.datasetId, 1 << RecipeKind.SUM)).wait();
      await (await as(f.market, f.actors.seller).pauseDataset(f.datasetId)).wait();
      await stepToEnd(f, runId);
      expect((await f.market.runInfo(runId)).finished).to.equal(true);
    });
  });

  describe("privacy rules at start", () => {
    const ops = [op({ kind: RecipeKind.MIN })];

    it("rejects a kind the seller never approved", async () => {
      const f = await fixture();
      await (await as(f.market, f.actors.seller).revokeRecipeKinds(f.datasetId, 1 << RecipeKind.MIN)).wait();
      await (await as(f.market, f.actors.seller).approveRecipeKinds(f.datasetId, 1 << RecipeKind.MAX)).wait();
      await expectRevert(startRun(f, f.datasetId, ops, 0, 16), "RecipeKindNotApproved", [f.datasetId, RecipeKind.MIN]);
    });

    it("rejects a revoked kind, even inside a program of approved ones", async () => {
      const f = await fixture();
      await (await as(f.market, f.actors.seller).revokeRecipeKinds(f.datasetId, 1 << RecipeKind.VARIANCE)).wait();
      const program = [op({ kind: RecipeKind.SUM }), op({ kind: RecipeKind.VARIANCE })];
      await expectRevert(startRun(f, f.datasetId, program, 0, 16), "RecipeKindNotApproved", [f.datasetId, RecipeKind.VARIANCE]);
    });

    it("rejects a buyer without access, and one whose access expired", async () => {
      const f = await fixture();
      const { stranger, buyer } = f.actors;
      await expectRevert(startRun(f, f.datasetId, ops, 0, 16, stranger), "NoAccess", [f.datasetId, stranger.address]);
      const expiry = (await f.market.accessExpiry(f.datasetId, buyer.address)) as bigint;
      await increaseTime(86_400 + 1);
      await expectRevert(startRun(f, f.datasetId, ops, 0, 16), "AccessExpired", [f.datasetId, buyer.address, expiry]);
    });

    it("rejects unaligned, too-short and out-of-range windows", async () => {
      const f = await fixture();
      await expectRevert(startRun(f, f.datasetId, ops, 3, 19), "WindowNotAligned", [3, 19, 8]);
      await expectRevert(startRun(f, f.datasetId, ops, 8, 20), "WindowNotAligned", [8, 20, 8]);
      await expectRevert(startRun(f, f.datasetId, ops, 16, 16), "WindowTooShort", [16, 16, 8]);
      await expectRevert(startRun(f, f.datasetId, ops, 24, 16), "WindowTooShort", [24, 16, 8]);
      await expectRevert(startRun(f, f.datasetId, ops, 0, 104), "WindowBeyondReadings", [104, 96]);
    });

    it("rejects runs on a paused dataset", async () => {
      const f = await fixture();
      await (await as(f.market, f.actors.seller).pauseDataset(f.datasetId)).wait();
      await expectRevert(startRun(f, f.datasetId, ops, 0, 16), "DatasetIsPaused", [f.datasetId]);
    });
  });

  describe("program encoding", () => {
    const cases: [string, Op[], string, unknown[]][] = [
      ["an empty program", [], "InvalidProgramLength", [0, 8]],
      ["nine ops", Array.from({ length: 9 }, () => op({ kind: RecipeKind.SUM })), "InvalidProgramLength", [9, 8]],
      ["kind 10", [op({ kind: 10 as RecipeKind })], "UnknownRecipeKind", [0, 10]],
      ["comparator 5", [op({ kind: RecipeKind.SUM }), op({ kind: RecipeKind.COUNT_IF, cmp: 5 as Comparator })], "UnknownComparator", [1, 5]],
      ["a constant on SUM", [op({ kind: RecipeKind.SUM, a: 1 })], "UnusedOpFieldSet", [0]],
      ["a comparator on MIN", [op({ kind: RecipeKind.MIN, cmp: Comparator.LT })], "UnusedOpFieldSet", [0]],
      ["bounds on MEAN", [op({ kind: RecipeKind.MEAN, bounds: [1] })], "UnusedOpFieldSet", [0]],
      ["b on GT", [op({ kind: RecipeKind.ALERT, cmp: Comparator.GT, a: 5, b: 9 })], "UnusedOpFieldSet", [0]],
      ["bounds on COUNT_IF", [op({ kind: RecipeKind.COUNT_IF, bounds: [3] })], "UnusedOpFieldSet", [0]],
      ["a predicate on HISTOGRAM", [op({ kind: RecipeKind.HISTOGRAM, a: 2, bounds: [3] })], "UnusedOpFieldSet", [0]],
      ["BETWEEN 9..5", [op({ kind: RecipeKind.SUM_IF, cmp: Comparator.BETWEEN, a: 9, b: 5 })], "InvalidBetweenRange", [0, 9, 5]],
      ["a histogram without bounds", [op({ kind: RecipeKind.HISTOGRAM })], "InvalidHistogramBounds", [0]],
      ["nine bounds", [op({ kind: RecipeKind.HISTOGRAM, bounds: [1, 2, 3, 4, 5, 6, 7, 8, 9] })], "InvalidHistogramBounds", [0]],
      ["repeated bounds", [op({ kind: RecipeKind.HISTOGRAM, bounds: [1, 5, 5] })], "InvalidHistogramBounds", [0]],
    ];
    for (const [name, ops, error, args] of cases) {
      it(`rejects ${name} with ${error}`, async () => {
        const f = await fixture();
        await expectRevert(startRun(f, f.datasetId, ops, 0, 16), error, args);
        await expectRevert(f.market.maxStepSize(encodeProgram(ops), true), error, args);
      });
    }

    it("rejects a program whose one-reading final step exceeds the HCU limit", async () => {
      const f = await fixture();
      const heavy = Array.from({ length: 8 }, () => op({ kind: RecipeKind.HISTOGRAM, bounds: [1, 2, 3, 4, 5, 6, 7, 8] }));
      const decoded = await expectRevert(startRun(f, f.datasetId, heavy, 0, 16), "ProgramExceedsHcuLimit");
      expect(decoded.args[0] as bigint > 20_000_000n).to.equal(true);
    });
  });
});
