import { describe, expect, it } from "vitest";
import { describeRelayerGas, formatEthUp, formatQuote, quoteShortfall, type RunQuote } from "./run-quote";

const ETH = 10n ** 18n;
const quote = (relayerWei: bigint, sellerWei: bigint, extra: Partial<RunQuote> = {}): RunQuote => ({
  gasPriceWei: "1000000000",
  relayerGas: "100000",
  relayerWei: relayerWei.toString(),
  sellerWei: sellerWei.toString(),
  totalWei: (relayerWei + sellerWei).toString(),
  ...extra,
});

describe("a run's quote in words", () => {
  it("says the total, the relayer's part and the seller's part", () => {
    expect(formatQuote(quote(ETH / 10_000n, (2n * ETH) / 10_000n))).toBe("≈ 0.0003 ETH: 0.0001 relayer, 0.0002 seller");
  });

  it("rounds every amount up to two significant digits, never down", () => {
    expect(formatEthUp(123_456_789_012_345n)).toBe("0.00013");
    expect(formatEthUp(120_000_000_000_001n)).toBe("0.00013");
    expect(formatEthUp(120_000_000_000_000n)).toBe("0.00012");
    expect(formatEthUp(999_000_000_000_000_001n)).toBe("1");
    expect(formatEthUp(15n * ETH)).toBe("15");
    expect(formatEthUp(123n * ETH + 1n)).toBe("130");
  });

  it("shows tiny amounts as below a millionth of an ETH, and nothing as 0", () => {
    expect(formatEthUp(5n)).toBe("< 0.000001");
    expect(formatEthUp(999_999_999_999n)).toBe("< 0.000001");
    expect(formatEthUp(10n ** 12n)).toBe("0.000001");
    expect(formatEthUp(0n)).toBe("0");
  });

  it("says so when the seller sets no price per run", () => {
    expect(formatQuote(quote(412_000n * 10n ** 9n, 0n))).toBe("≈ 0.00042 ETH: 0.00042 relayer, no seller price");
  });

  it("says a run that costs nothing is free, and why", () => {
    expect(formatQuote(quote(0n, 0n, { gasPriceWei: "0" }))).toBe("No charge: neither a relayer gas price nor a seller price per run is set.");
  });

  it("prices the relayer's gas for a tooltip", () => {
    expect(describeRelayerGas(quote(0n, 0n, { relayerGas: "412000", gasPriceWei: "1500000000" }))).toBe("412,000 gas at 1.5 gwei");
  });

  it("finds what the balance lacks, or nothing", () => {
    const q = quote(ETH / 1000n, 0n);
    expect(quoteShortfall(q, 0n)).toBe(ETH / 1000n);
    expect(quoteShortfall(q, ETH / 2000n)).toBe(ETH / 2000n);
    expect(quoteShortfall(q, ETH / 1000n)).toBe(0n);
  });
});
