import { expect } from "chai";
import { EXACT_PRIVACY, PrivacyMode, decodeBound, describePrivacy, exactMeaning, privacyModeName } from "@iotdm/contracts-client";

const greenhouse = { k: 12, scale: 2, offset: -5000n, unit: "°C" };

describe("privacy wording", () => {
  it("says what a paying buyer can learn from an exact dataset", () => {
    expect(privacyModeName(EXACT_PRIVACY)).to.equal("Exact");
    expect(describePrivacy({ ...greenhouse, privacy: EXACT_PRIVACY })).to.equal(
      "Exact results: a determined buyer who paid can learn the values of each 12-reading bucket, not their order.",
    );
    expect(exactMeaning("k")).to.contain("each k-reading bucket");
  });

  it("gives a private dataset's range in the unit, its ε bounds and the budget", () => {
    const privacy = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 10000, minEpsilon: 100, maxEpsilon: 5000 };
    expect(privacyModeName(privacy)).to.equal("Private");
    expect(describePrivacy({ ...greenhouse, privacy })).to.equal(
      "Private results: readings are clamped to −40 °C to 60 °C and every result carries encrypted noise (ε 0.1 to ε 5 per statistic); each buyer may spend at most ε 10 on any one reading over all of their runs.",
    );
  });

  it("decodes bounds with the dataset's scale and offset", () => {
    expect(decodeBound(5025n, greenhouse)).to.equal("0.25 °C");
    expect(decodeBound(4999n, greenhouse)).to.equal("−0.01 °C");
    expect(decodeBound(7n, { scale: 0, offset: 0n, unit: "" })).to.equal("7");
  });
});
