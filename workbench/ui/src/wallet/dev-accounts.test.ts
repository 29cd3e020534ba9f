import { describe, expect, it } from "vitest";
import { devAccount, devAccounts } from "./dev-accounts";

describe("dev wallet accounts", () => {
  it("are the Hardhat node's well-known accounts", () => {
    const [first, second, third] = devAccounts(3);
    expect(first).toEqual({ index: 0, address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" });
    expect(second!.address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(third!.address).toBe("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
  });

  it("refuses an index outside the node's 20 accounts", () => {
    expect(() => devAccount(20)).toThrow(RangeError);
    expect(() => devAccount(-1)).toThrow(RangeError);
  });
});
