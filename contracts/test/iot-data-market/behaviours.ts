/**
 * Behaviours shared by several test files, written once as functions that register `it` blocks.
 */
import { expect } from "chai";
import { fhevm } from "hardhat";
import { FhevmType } from "@fhevm/hardhat-plugin";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { resultLayout, type Op } from "@iotdm/contracts-client";
import { encodedResults, interpretResults, plainStatistic, type Statistic } from "../helpers/stats";
import { THERMOMETER_FP, decryptResults, startRun, stepToEnd, type DataFixture } from "./fixture";

export interface RecipeCase {
  name: string;
  ops: Op[];
  /** Window [from, to) of reading indices. */
  window: [number, number];
  /** Step sizes (default: the program's largest). */
  sizes?: number[];
}

/** Runs `recipe` on the fixture's random readings and compares the buyer's decryption with plain TypeScript. */
export function shouldMatchPlainTypeScript(load: () => Promise<DataFixture>, recipe: RecipeCase): void {
  it(`${recipe.name}: the buyer decrypts what plain TypeScript computes`, async () => {
    const f = await load();
    const [from, to] = recipe.window;
    const runId = await startRun(f, f.datasetId, recipe.ops, from, to);
    await stepToEnd(f, runId, { sizes: recipe.sizes });
    const decrypted = await decryptResults(f, runId, recipe.ops, f.actors.buyer);

    expect(decrypted, "encoded results").to.deep.equal(encodedResults(recipe.ops, f.encoded.slice(from, to)));
    const statistics = interpretResults(recipe.ops, decrypted, to - from, THERMOMETER_FP);
    recipe.ops.forEach((op, i) => {
      expectClose(statistics[i], plainStatistic(op, f.temperatures.slice(from, to), THERMOMETER_FP), `op ${i}`);
    });
  });
}

function expectClose(actual: Statistic, expected: Statistic, label: string): void {
  if (typeof expected === "number") {
    expect(actual as number, label).to.be.closeTo(expected, Math.max(1e-6, Math.abs(expected) * 1e-9));
  } else if (Array.isArray(expected)) {
    expect(actual, label).to.deep.equal(expected);
  } else {
    expect(actual, label).to.equal(expected);
  }
}

/** Every result handle of `runId` decrypts for `owner` and fails for each of `others`. */
export async function expectResultsPrivateTo(
  f: DataFixture,
  runId: bigint,
  ops: readonly Op[],
  owner: HardhatEthersSigner,
  others: HardhatEthersSigner[],
): Promise<void> {
  await decryptResults(f, runId, ops, owner);
  const handles = (await f.market.runResults(runId)) as string[];
  const layout = resultLayout(ops, { noisy: Number((await f.market.runInfo(runId)).noiseUnits) > 0 });
  for (const other of others) {
    for (const [i, handle] of handles.entries()) {
      let failure: unknown;
      try {
        if (layout[i].type === "ebool") await fhevm.userDecryptEbool(handle, f.address, other);
        else await fhevm.userDecryptEuint(layout[i].type === "euint32" ? FhevmType.euint32 : FhevmType.euint64, handle, f.address, other);
      } catch (err) {
        failure = err;
      }
      expect(String(failure), `${other.address} decrypted result ${i}`).to.match(/not authorized to user decrypt/);
    }
  }
}
