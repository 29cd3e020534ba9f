/**
 * The planner (recipes/) and the market contract each know the recipe kinds, the program encoding and the HCU
 * cost of a step; recipes/ may not import contracts/, so the two are written twice. This specification holds
 * them equal against the deployed contract's own pure functions, so that neither can drift.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcProvider } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import { startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import {
  Comparator as ChainComparator,
  RecipeKind as ChainRecipeKind,
  connectMarket,
  encodeProgram as encodeForChain,
  programHash as chainProgramHash,
  type Op,
  type IoTDataMarket,
} from "@iotdm/contracts-client";
import {
  Comparator,
  RecipeKind,
  UNBOUNDED_STEP,
  maxStepSize,
  programHash,
  stepHcu,
  type ComparatorCode,
  type RecipeKindCode,
} from "@iotdm/recipes";

const UINT64_MAX = 2n ** 64n - 1n;
const PREDICATE_KINDS = [RecipeKind.COUNT_IF, RecipeKind.SUM_IF, RecipeKind.ALERT];
const COMPARATORS = Object.values(Comparator) as ComparatorCode[];

function opOf(kind: RecipeKindCode, cmp: ComparatorCode = Comparator.GT, bounds = 0): Op {
  const predicate = PREDICATE_KINDS.includes(kind as never);
  return {
    kind: kind as number as ChainRecipeKind,
    cmp: (predicate ? cmp : Comparator.GT) as number as ChainComparator,
    epsilon: 0,
    a: predicate ? 10n : 0n,
    b: predicate && cmp === Comparator.BETWEEN ? 20n : 0n,
    bounds: Array.from({ length: bounds }, (_, i) => BigInt(10 * (i + 1))),
  };
}

/** Every single-op program shape the contract prices differently, plus a few mixed programs. */
const PROGRAMS: { name: string; ops: Op[] }[] = [
  ...[RecipeKind.COUNT, RecipeKind.SUM, RecipeKind.MEAN, RecipeKind.MIN, RecipeKind.MAX, RecipeKind.VARIANCE].map((kind) => ({
    name: Object.keys(RecipeKind).find((k) => RecipeKind[k as keyof typeof RecipeKind] === kind)!,
    ops: [opOf(kind)],
  })),
  ...PREDICATE_KINDS.flatMap((kind) =>
    COMPARATORS.map((cmp) => ({ name: `kind ${kind} comparator ${cmp}`, ops: [opOf(kind, cmp)] })),
  ),
  ...Array.from({ length: 8 }, (_, i) => ({ name: `HISTOGRAM of ${i + 1} bounds`, ops: [opOf(RecipeKind.HISTOGRAM, Comparator.GT, i + 1)] })),
  { name: "mean, min, max and count", ops: [opOf(RecipeKind.MEAN), opOf(RecipeKind.MIN), opOf(RecipeKind.MAX), opOf(RecipeKind.COUNT)] },
  {
    name: "count-if between, histogram of 4 and an alert",
    ops: [opOf(RecipeKind.COUNT_IF, Comparator.BETWEEN), opOf(RecipeKind.HISTOGRAM, Comparator.GT, 4), opOf(RecipeKind.ALERT, Comparator.GE)],
  },
];

describe("the planner's cost model and encoding equal the market contract's", () => {
  let chain: LocalChain;
  let provider: JsonRpcProvider;
  let market: IoTDataMarket;

  beforeAll(async () => {
    chain = await startLocalChain();
    provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1 });
    const admin = await provider.getSigner(0);
    const { address } = await deployMarket({ signer: admin, operator: await admin.getAddress() });
    market = connectMarket(address, provider);
  });

  afterAll(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  it("numbers the recipe kinds and comparators alike", () => {
    for (const [name, code] of Object.entries(RecipeKind)) expect(ChainRecipeKind[name as keyof typeof ChainRecipeKind]).toBe(code);
    for (const [name, code] of Object.entries(Comparator)) expect(ChainComparator[name as keyof typeof ChainComparator]).toBe(code);
  });

  it.each(PROGRAMS)("prices a step of $name as the contract does", async ({ ops }) => {
    const encoded = encodeForChain(ops);
    const costed = ops.map((o) => ({ kind: o.kind as number as RecipeKindCode, cmp: o.cmp as number as ComparatorCode, bounds: o.bounds }));
    for (const finalizes of [false, true]) {
      const onChainMax = (await market.maxStepSize(encoded, finalizes)) as bigint;
      const planned = maxStepSize(costed, finalizes);
      expect(planned === UNBOUNDED_STEP ? UINT64_MAX : BigInt(planned)).toBe(onChainMax);
      for (const n of [1, 2, 17, Math.min(planned, 255)]) {
        expect(BigInt(stepHcu(costed, n, finalizes))).toBe((await market.stepHcu(encoded, n, finalizes)) as bigint);
      }
    }
  });

  it.each(PROGRAMS)("hashes the program of $name as the contract does", ({ ops }) => {
    expect(programHash(ops)).toBe(chainProgramHash(ops));
    // ε is covered by the hash (a private dataset's ops carry it): both sides agree on it too.
    const noisy = ops.map((o, i) => ({ ...o, epsilon: 100 * (i + 1) }));
    expect(programHash(noisy)).toBe(chainProgramHash(noisy));
    expect(programHash(noisy)).not.toBe(programHash(ops));
  });
});
