/**
 * The on-chain noise sampler against the exact TypeScript model (`@iotdm/recipes/noise-model`): the same public
 * thresholds, the same draw from the same encrypted random words (decrypted through the mock), and, over thousands
 * of draws, the model's mean and variance.
 */
import { expect } from "chai";
import { ethers, fhevm } from "hardhat";
import { FhevmType } from "@fhevm/hardhat-plugin";
import type { Contract } from "ethers";
import {
  NOISE_MEAN,
  noiseDistribution,
  noiseMeanSquare,
  noiseParameters,
  ratioToNumber,
  replayNoise,
  type NoiseOptions,
} from "@iotdm/recipes/noise-model";

const CASES: NoiseOptions[] = [
  { epsilonMilli: 1000, sensitivity: 1n, parts: 1 },
  { epsilonMilli: 100, sensitivity: 1n, parts: 1 },
  { epsilonMilli: 2000, sensitivity: 10_000n, parts: 1 },
  { epsilonMilli: 500, sensitivity: 2n, parts: 1 },
  { epsilonMilli: 1000, sensitivity: 25_000_000n, parts: 2 },
  { epsilonMilli: 5000, sensitivity: 1n, parts: 1 },
];

describe("Noise sampler (PrivacyNoise's draw) against the TypeScript model", function () {
  let harness: Contract;
  let address: string;
  let caller: Awaited<ReturnType<typeof ethers.getSigners>>[number];

  before(async () => {
    [caller] = await ethers.getSigners();
    harness = (await (await ethers.getContractFactory("NoiseSamplerHarness")).deploy()) as unknown as Contract;
    address = await harness.getAddress();
  });

  const decrypt64 = (handle: string) => fhevm.userDecryptEuint(FhevmType.euint64, handle, address, caller);

  it("computes the model's thresholds bit for bit", async () => {
    for (const options of CASES) {
      const onChain = (await harness.thresholds(options.epsilonMilli, options.sensitivity, options.parts)) as bigint[];
      expect([...onChain], JSON.stringify(options, (_, v) => (typeof v === "bigint" ? String(v) : v))).to.deep.equal(
        noiseParameters(options).thresholds,
      );
    }
  });

  it("draws what the model replays from the same random words and sign", async () => {
    for (const options of [CASES[0], CASES[2]]) {
      const { thresholds } = noiseParameters(options);
      for (let i = 0; i < 4; i++) {
        await (await harness.draw([...thresholds])).wait();
        const [zHandle, wordHandles, signHandle] = await harness.lastDraw();
        const words = [];
        for (const handle of wordHandles) words.push(await decrypt64(handle));
        const sign = await fhevm.userDecryptEbool(signHandle, address, caller);
        const z = BigInt.asIntN(64, await decrypt64(zHandle));
        expect(z).to.equal(replayNoise(thresholds, words, sign));
      }
    }
  });

  it("has the model's mean and variance over 2,016 draws (9 per transaction)", async function () {
    this.timeout(1_200_000);
    const options = CASES[0];
    const { thresholds } = noiseParameters(options);
    const perTransaction = 9;
    const transactions = 224;
    let sum = 0n;
    let sumOfSquares = 0n;
    for (let t = 0; t < transactions; t++) {
      await (await harness.drawMany([...thresholds], perTransaction)).wait();
      const [sumHandle, squaresHandle] = await harness.lastMoments();
      sum += BigInt.asIntN(64, await decrypt64(sumHandle));
      sumOfSquares += await decrypt64(squaresHandle);
    }
    const n = perTransaction * transactions;

    // Exact moments of the law, and the spread of their estimates (5 standard errors).
    const law = noiseDistribution(thresholds);
    const moment = (power: number) =>
      law.numerators.reduce((acc, p, i) => acc + Number(p) * Number(law.low + BigInt(i)) ** power, 0) / Number(law.denominator);
    const mean = ratioToNumber(NOISE_MEAN);
    const meanSquare = ratioToNumber(noiseMeanSquare(thresholds));
    const variance = meanSquare - mean * mean;
    const fourth = moment(4);

    const sampleMean = Number(sum) / n;
    const sampleMeanSquare = Number(sumOfSquares) / n;
    expect(sampleMean, "mean").to.be.closeTo(mean, 5 * Math.sqrt(variance / n));
    expect(sampleMeanSquare, "mean square").to.be.closeTo(meanSquare, 5 * Math.sqrt((fourth - meanSquare ** 2) / n));
    expect(moment(2)).to.be.closeTo(meanSquare, 1e-9);
  });
});
