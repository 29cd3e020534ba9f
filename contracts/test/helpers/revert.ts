import { expect } from "chai";
import { decodeContractError, type DecodedContractError } from "@iotdm/contracts-client";

/**
 * Awaits `action` and asserts it reverted with custom error `name` (and, when given, exactly `args`). Decodes through
 * the client's `decodeContractError`, so every rejection tested here also proves the client can name it.
 */
export async function expectRevert(
  action: Promise<unknown> | (() => Promise<unknown>),
  name: string,
  args?: readonly unknown[],
): Promise<DecodedContractError> {
  let decoded: DecodedContractError | undefined;
  try {
    await (typeof action === "function" ? action() : action);
  } catch (err) {
    decoded = decodeContractError(err);
  }
  expect(decoded, `expected a revert with ${name}, but the call succeeded`).to.not.equal(undefined);
  expect(decoded!.name, decoded!.message).to.equal(name);
  expect(decoded!.message).to.not.match(/^\w+\(/, "the client has no readable sentence for this error");
  if (args) expect(decoded!.args.map(normalise)).to.deep.equal(args.map(normalise));
  return decoded!;
}

function normalise(value: unknown): unknown {
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  return value;
}
