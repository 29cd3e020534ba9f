import { expect } from "chai";
import type { Log } from "ethers";
import { ethers } from "hardhat";
import {
  marketDomain,
  runRequestDigest,
  signRunRequest,
  signStandingAuthorization,
  standingAuthorizationDigest,
  type RunRequest,
  type StandingAuthorization,
  RecipeKind,
  encodeProgram,
  op,
  programHash,
} from "@iotdm/contracts-client";
import { increaseTime, latestTimestamp } from "../helpers/chain";
import { expectRevert } from "../helpers/revert";
import { expectResultsPrivateTo } from "./behaviours";
import { as, dataFixture, stepToEnd, type DataFixture } from "./fixture";

const OPS = [op({ kind: RecipeKind.SUM }), op({ kind: RecipeKind.MAX })];
const HOUR = 3600n;

async function domainOf(f: DataFixture) {
  return marketDomain({ chainId: (await ethers.provider.getNetwork()).chainId, market: f.address });
}

describe("IoTDataMarket: consent", () => {
  const fixture = dataFixture(64);

  describe("RunRequest (one run, started by the relayer)", () => {
    async function signedRequest(f: DataFixture, overrides: Partial<RunRequest> = {}, signer = f.actors.buyer) {
      const request: RunRequest = {
        buyer: f.actors.buyer.address,
        datasetId: f.datasetId,
        programHash: programHash(OPS),
        fromIndex: 8n,
        toIndex: 40n,
        nonce: 7n,
        deadline: BigInt(await latestTimestamp()) + HOUR,
        maxPayment: 0n,
        ...overrides,
      };
      const signature = await signRunRequest({ signer, domain: await domainOf(f), request });
      return { request, signature };
    }

    it("starts the buyer's run, remembers it under the request digest and keeps the results from the relayer", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      const digest = runRequestDigest(await domainOf(f), request);
      expect(await f.market.runRequestDigest(request)).to.equal(digest);
      expect(await f.market.runIdOf(digest)).to.equal(0n);

      const receipt = await (await as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature)).wait();
      const started = f.market.interface.parseLog(receipt!.logs.find((log: Log) => log.address === f.address)!)!;
      expect(started.args.buyer).to.equal(f.actors.buyer.address);
      expect(started.args.consentDigest).to.equal(digest);
      const runId = started.args.runId as bigint;
      expect(await f.market.runIdOf(digest)).to.equal(runId);
      expect(await f.market.isNonceUsed(f.actors.buyer.address, 7n)).to.equal(true);

      await stepToEnd(f, runId, { callers: [f.actors.relayer] });
      await expectResultsPrivateTo(f, runId, OPS, f.actors.buyer, [f.actors.relayer, f.actors.seller]);
    });

    it("accepts requests from operators only", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      const role = await f.market.OPERATOR_ROLE();
      await expectRevert(
        as(f.market, f.actors.buyer).startRunFor(request, encodeProgram(OPS), signature),
        "AccessControlUnauthorizedAccount",
        [f.actors.buyer.address, role],
      );
    });

    it("rejects a request past its deadline", async () => {
      const f = await fixture();
      const deadline = BigInt(await latestTimestamp()) + 60n;
      const { request, signature } = await signedRequest(f, { deadline });
      await increaseTime(120);
      const decoded = await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature),
        "SignatureExpired",
      );
      expect(decoded.args[0]).to.equal(deadline);
    });

    it("rejects a replayed request", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      const relayer = as(f.market, f.actors.relayer);
      await (await relayer.startRunFor(request, encodeProgram(OPS), signature)).wait();
      await expectRevert(relayer.startRunFor(request, encodeProgram(OPS), signature), "NonceAlreadyUsed", [
        f.actors.buyer.address,
        7n,
      ]);
    });

    it("rejects a request signed by someone else than its buyer", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f, {}, f.actors.otherBuyer);
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature),
        "InvalidSignature",
        [f.actors.buyer.address],
      );
    });

    it("rejects a request whose window was altered after signing", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor({ ...request, toIndex: 64n }, encodeProgram(OPS), signature),
        "InvalidSignature",
      );
    });

    it("rejects a program other than the signed one", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      const other = [op({ kind: RecipeKind.MIN })];
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(other), signature),
        "ProgramHashMismatch",
        [programHash(OPS), programHash(other)],
      );
    });

    it("rejects a request whose nonce the buyer cancelled", async () => {
      const f = await fixture();
      const { request, signature } = await signedRequest(f);
      const receipt = await (await as(f.market, f.actors.buyer).invalidateNonce(7n)).wait();
      expect(f.market.interface.parseLog(receipt!.logs[0])!.name).to.equal("NonceInvalidated");
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature),
        "NonceAlreadyUsed",
      );
    });

    it("applies the privacy rules to signed requests too", async () => {
      const f = await fixture();
      const { stranger } = f.actors;
      const { request, signature } = await signedRequest(f, { buyer: stranger.address }, stranger);
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(request, encodeProgram(OPS), signature),
        "NoAccess",
        [f.datasetId, stranger.address],
      );
      const unaligned = await signedRequest(f, { fromIndex: 4n, nonce: 8n });
      await expectRevert(
        as(f.market, f.actors.relayer).startRunFor(unaligned.request, encodeProgram(OPS), unaligned.signature),
        "WindowNotAligned",
      );
    });
  });

  describe("StandingAuthorization (recurring runs)", () => {
    async function signedAuthorization(f: DataFixture, overrides: Partial<StandingAuthorization> = {}, signer = f.actors.buyer) {
      const authorization: StandingAuthorization = {
        buyer: f.actors.buyer.address,
        datasetId: f.datasetId,
        programHash: programHash(OPS),
        fromIndex: 0n,
        cadence: HOUR,
        expiry: BigInt(await latestTimestamp()) + 10n * HOUR,
        maxRuns: 3,
        nonce: 99n,
        maxPaymentPerRun: 0n,
        ...overrides,
      };
      const signature = await signStandingAuthorization({ signer, domain: await domainOf(f), authorization });
      return { authorization, signature };
    }

    function scheduled(f: DataFixture, a: { authorization: StandingAuthorization; signature: string }, from: number, to: number) {
      return as(f.market, f.actors.relayer).startScheduledRun(a.authorization, encodeProgram(OPS), a.signature, from, to);
    }

    it("runs once per cadence over consecutive windows from its signed start and tracks its state", async () => {
      const f = await fixture();
      const auth = await signedAuthorization(f, { fromIndex: 8n });
      const digest = standingAuthorizationDigest(await domainOf(f), auth.authorization);
      expect(await f.market.standingAuthorizationDigest(auth.authorization)).to.equal(digest);

      await (await scheduled(f, auth, 8, 24)).wait();
      let state = await f.market.standingAuthorizationState(digest);
      expect([state.runs, state.nextFromIndex, state.lastRunId, state.revoked]).to.deep.equal([1n, 24n, 1n, false]);
      await expectRevert(scheduled(f, await signedAuthorization(f, { fromIndex: 8n, nonce: 100n }), 0, 8), "ScheduleNotConsecutive", [8, 0]);
      const firstRun = await f.market.runInfo(1);
      expect([firstRun.buyer, firstRun.fromIndex, firstRun.toIndex]).to.deep.equal([f.actors.buyer.address, 8n, 24n]);

      const decoded = await expectRevert(scheduled(f, auth, 24, 40), "ScheduleTooEarly");
      expect(decoded.args[0]).to.equal(state.lastRunAt + HOUR);
      await increaseTime(Number(HOUR));
      await expectRevert(scheduled(f, auth, 32, 48), "ScheduleNotConsecutive", [24, 32]);
      await (await scheduled(f, auth, 24, 40)).wait();
      state = await f.market.standingAuthorizationState(digest);
      expect([state.runs, state.nextFromIndex, state.lastRunId]).to.deep.equal([2n, 40n, 2n]);

      await stepToEnd(f, 2n, { callers: [f.actors.relayer] });
      await expectResultsPrivateTo(f, 2n, OPS, f.actors.buyer, [f.actors.relayer]);
    });

    it("stops after maxRuns", async () => {
      const f = await fixture();
      const auth = await signedAuthorization(f, { maxRuns: 1, cadence: 0n });
      await (await scheduled(f, auth, 0, 8)).wait();
      await expectRevert(scheduled(f, auth, 8, 16), "AuthorizationExhausted", [1]);
    });

    it("stops at its expiry", async () => {
      const f = await fixture();
      const expiry = BigInt(await latestTimestamp()) + 100n;
      const auth = await signedAuthorization(f, { expiry });
      await increaseTime(200);
      await expectRevert(scheduled(f, auth, 0, 8), "AuthorizationExpired", [expiry]);
    });

    it("can be revoked by its buyer only", async () => {
      const f = await fixture();
      const auth = await signedAuthorization(f, { cadence: 0n });
      await (await scheduled(f, auth, 0, 8)).wait();
      await expectRevert(
        as(f.market, f.actors.relayer).revokeStandingAuthorization(auth.authorization),
        "NotAuthorizationBuyer",
        [f.actors.buyer.address, f.actors.relayer.address],
      );
      const digest = await f.market.standingAuthorizationDigest(auth.authorization);
      await (await as(f.market, f.actors.buyer).revokeStandingAuthorization(auth.authorization)).wait();
      await expectRevert(scheduled(f, auth, 8, 16), "AuthorizationRevoked", [digest]);
    });

    it("rejects an authorization signed by someone else, or whose nonce was used", async () => {
      const f = await fixture();
      const forged = await signedAuthorization(f, {}, f.actors.stranger);
      await expectRevert(scheduled(f, forged, 0, 8), "InvalidSignature", [f.actors.buyer.address]);
      await (await as(f.market, f.actors.buyer).invalidateNonce(99n)).wait();
      const cancelled = await signedAuthorization(f);
      await expectRevert(scheduled(f, cancelled, 0, 8), "NonceAlreadyUsed", [f.actors.buyer.address, 99n]);
    });

    it("requires the buyer's access at every run", async () => {
      const f = await fixture();
      const auth = await signedAuthorization(f, { cadence: 0n, expiry: BigInt(await latestTimestamp()) + 30n * 86_400n });
      await (await scheduled(f, auth, 0, 8)).wait();
      await increaseTime(2 * 86_400);
      await expectRevert(scheduled(f, auth, 8, 16), "AccessExpired");
    });
  });
});
