import { describe, expect, it } from "vitest";
import { accessTotal } from "./buy-access";

describe("access total", () => {
  it("is the price times whole periods from one", () => {
    expect(accessTotal({ priceWei: "1000000000000000" }, 3)).toBe(3_000_000_000_000_000n);
  });

  it("is undefined for no period, a fraction or a negative number", () => {
    expect(accessTotal({ priceWei: "1000" }, 0)).toBeUndefined();
    expect(accessTotal({ priceWei: "1000" }, 1.5)).toBeUndefined();
    expect(accessTotal({ priceWei: "1000" }, -1)).toBeUndefined();
  });
});
