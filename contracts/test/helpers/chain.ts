import { network } from "hardhat";

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

