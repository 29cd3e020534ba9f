import { expect } from "chai";
import { EXACT_PRIVACY, PrivacyMode } from "@iotdm/contracts-client";
import { privacyParamsFromJson, privacySettingJson, privacySettingToJson } from "@iotdm/contracts-client/wire";

const greenhouse = { k: 12, scale: 2, offset: "-5000", unit: "°C" };
const privacy = { mode: PrivacyMode.PRIVATE, lowerBound: 1000n, upperBound: 11000n, budget: 4000, minEpsilon: 100, maxEpsilon: 2000 };

describe("a privacy setting in JSON", () => {
  it("carries an exact setting as its mode and sentence only", () => {
    const json = privacySettingToJson({ ...greenhouse, privacy: EXACT_PRIVACY, privateFrom: 0 });
    expect(json).to.deep.equal({
      mode: "exact",
      protects: "Exact results: a determined buyer who paid can learn the values of each 12-reading bucket, not their order.",
    });
    expect(privacyParamsFromJson(privacySettingJson.parse(json))).to.deep.equal(EXACT_PRIVACY);
  });

  it("carries a private setting's range, budget, ε bounds and first private reading, and reads back the same params", () => {
    const json = privacySettingToJson({ ...greenhouse, privacy, privateFrom: 48 });
    expect(json).to.deep.include({ mode: "private", lowerBound: "1000", upperBound: "11000", budget: 4000, minEpsilon: 100, maxEpsilon: 2000, privateFrom: 48 });
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
    expect(privacyParamsFromJson(privacySettingJson.parse(json))).to.deep.equal(privacy);
  });

  it("refuses a private setting without its range", () => {
    const { lowerBound: _lower, ...partial } = privacySettingToJson({ ...greenhouse, privacy, privateFrom: 0 }) as Record<string, unknown>;
    expect(privacySettingJson.safeParse(partial).success).to.equal(false);
  });
});
