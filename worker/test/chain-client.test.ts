/**
 * Proof that a separate process can drive the chain through contracts/client alone: start a Hardhat node with the
 * fhevm mock, deploy the market, encrypt and append readings as a device, run a recipe step by step as the relayer
 * with the buyer's EIP-712 consent, and user-decrypt the results as the buyer through MockFhevmInstance.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import {
  Comparator,
  RecipeKind,
  connectMarket,
  createFhevmInstance,
  decodeContractError,
  decryptRunResults,
  encodeProgram,
  encryptReadings,
  EXACT_PRIVACY,
  kindMask,
  marketDomain,
  op,
  programHash,
  randomNonce,
  readRunInfo,
  runRequestDigest,
  signRunRequest,
  userDecrypt,
  type FhevmClient,
  type RunRequest,
} from "@iotdm/contracts-client";

describe("contracts client against a local chain", () => {
  let chain: LocalChain;
  let provider: JsonRpcProvider;
  let instance: FhevmClient;
  let admin: JsonRpcSigner, seller: JsonRpcSigner, device: JsonRpcSigner, buyer: JsonRpcSigner, relayer: JsonRpcSigner;

  beforeAll(async () => {
    chain = await startLocalChain();
    provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1 });
    [admin, seller, device, buyer, relayer] = await Promise.all([0, 1, 2, 3, 4].map((i) => provider.getSigner(i)));
    instance = await createFhevmInstance({ provider });
  });

  afterAll(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  it("deploys, ingests encrypted readings, runs a recipe with consent and decrypts for the buyer only", async () => {
    const { address } = await deployMarket({ signer: admin, operator: await relayer.getAddress() });
    const asSeller = connectMarket(address, seller);
    await (
      await asSeller.createDataset({
        name: "Cold room",
        field: "temperature",
        unit: "°C",
        scale: 1,
        offset: -300n,
        pricePerPeriod: 1000n,
        periodSeconds: 3600,
        bucketSize: 4n,
        privacy: EXACT_PRIVACY,
        rollups: 0,
      })
    ).wait();
    const datasetId = 1n;
    await (await asSeller.registerDevice(datasetId, await device.getAddress())).wait();
    await (await asSeller.approveRecipeKinds(datasetId, kindMask([RecipeKind.SUM, RecipeKind.COUNT_IF, RecipeKind.MAX]))).wait();

    // The device encrypts 40 readings (two batches: 32 + 8) and appends them.
    const values = Array.from({ length: 40 }, (_, i) => BigInt(250 + ((i * 37) % 90)));
    const asDevice = connectMarket(address, device);
    let timestamp = 1_700_000_000;
    for (const batch of await encryptReadings({ instance, market: address, appender: await device.getAddress(), values })) {
      await (await asDevice.appendReadings(datasetId, batch.handles, batch.inputProof, batch.handles.map(() => ++timestamp))).wait();
    }
    expect(await asDevice.readingCount(datasetId)).toBe(40n);

    await (await connectMarket(address, buyer).purchaseAccess(datasetId, 1, { value: 1000n })).wait();

    // The buyer signs a run request; the relayer starts and steps the run.
    const ops = [
      op({ kind: RecipeKind.SUM }),
      op({ kind: RecipeKind.COUNT_IF, cmp: Comparator.GE, a: 300n }),
      op({ kind: RecipeKind.MAX }),
    ];
    const { chainId } = await provider.getNetwork();
    const domain = marketDomain({ chainId, market: address });
    const request: RunRequest = {
      buyer: await buyer.getAddress(),
      datasetId,
      programHash: programHash(ops),
      fromIndex: 4n,
      toIndex: 36n,
      nonce: randomNonce(),
      deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
      maxPayment: 0n,
    };
    const signature = await signRunRequest({ signer: buyer, domain, request });
    const asRelayer = connectMarket(address, relayer);
    await (await asRelayer.startRunFor(request, encodeProgram(ops), signature)).wait();
    const runId = (await asRelayer.runIdOf(runRequestDigest(domain, request))) as bigint;
    expect(runId).toBe(1n);

    const largest = (await asRelayer.maxStepSize(encodeProgram(ops), false)) as bigint;
    expect(largest).toBeGreaterThan(0n);
    for (const n of [10n, 10n, 12n]) await (await asRelayer.step(runId, n)).wait();
    expect((await readRunInfo(asRelayer, runId)).finished).toBe(true);

    const results = await decryptRunResults({ instance, market: connectMarket(address, buyer), runId, signer: buyer });
    const window = values.slice(4, 36);
    expect(results.map((r) => r.value)).toEqual([
      window.reduce((a, b) => a + b, 0n),
      BigInt(window.filter((x) => x >= 300n).length),
      window.reduce((a, b) => (b > a ? b : a)),
    ]);

    // The relayer carried the request and stepped the run, but cannot decrypt its results.
    const handles = (await asRelayer.runResults(runId)) as string[];
    await expect(
      userDecrypt({ instance, signer: relayer, contract: address, handles: [{ handle: handles[0], type: "euint64" }] }),
    ).rejects.toThrow(/not authorized/i);

    // Rejections come back as readable sentences.
    let failure: unknown;
    try {
      await (await asRelayer.startRunFor(request, encodeProgram(ops), signature)).wait();
    } catch (err) {
      failure = err;
    }
    expect(decodeContractError(failure)).toMatchObject({ name: "NonceAlreadyUsed" });
  });
});
