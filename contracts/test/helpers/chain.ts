import { network } from "hardhat";

/**
 * Runs `setUp` once, then restores the chain to the state it left for every later call (evm_snapshot / evm_revert,
 * which the fhevm mock supports). Like `loadFixture`, without the network-helpers package.
 */
export function snapshotFixture<T>(setUp: () => Promise<T>): () => Promise<T> {
  let cached: { value: T; snapshot: string } | undefined;
  return async () => {
    if (cached) {
      await quietly(() => network.provider.send("evm_revert", [cached!.snapshot]));
      cached.snapshot = await network.provider.send("evm_snapshot", []);
      return cached.value;
    }
    const value = await setUp();
    cached = { value, snapshot: await network.provider.send("evm_snapshot", []) };
    return value;
  };
}

/** Timestamp of the latest block. */
export async function latestTimestamp(): Promise<number> {
  const block = await network.provider.send("eth_getBlockByNumber", ["latest", false]);
  return Number(block.timestamp);
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
export async function increaseTime(seconds: number): Promise<void> {
  await network.provider.send("evm_increaseTime", [seconds]);
  await network.provider.send("evm_mine", []);
}

/** Sets the next block's timestamp. */
export async function setNextTimestamp(timestamp: number): Promise<void> {
  await network.provider.send("evm_setNextBlockTimestamp", [timestamp]);
}

/**
 * Runs `action` with console.log muted: @fhevm/mock-utils 0.4.2 prints a leftover debug line ("HANDLE REVERT
 * HERE!!") on every evm_revert, which would drown the test report.
 */
async function quietly<T>(action: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await action();
  } finally {
    console.log = log;
  }
}
