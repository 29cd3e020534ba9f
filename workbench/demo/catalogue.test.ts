import { describe, expect, it } from "vitest";
import { MAX_EPSILON, MAX_PRIVACY_BOUND, PrivacyMode, RecipeKind } from "@iotdm/contracts-client";
import { SENSOR_PROFILES } from "../simulator/signals";
import { DEMO_ROLES, LAST_FUNDED_INDEX } from "./accounts";
import { DEMO_DATASETS, datasetParams } from "./catalogue";

describe("the demo catalogue", () => {
  it("gives every dataset a funded device account of its own, clear of every role", () => {
    const devices = DEMO_DATASETS.map((_, position) => DEMO_ROLES.firstDevice + position);
    const roles = [DEMO_ROLES.admin, DEMO_ROLES.relayer, DEMO_ROLES.gateway, ...DEMO_ROLES.sellers, ...DEMO_ROLES.buyers].map((r) => r.index);
    for (const device of devices) {
      expect(device).toBeLessThanOrEqual(LAST_FUNDED_INDEX);
      expect(roles).not.toContain(device);
    }
  });

  it("has exact datasets next to at least two private ones", () => {
    const modes = DEMO_DATASETS.map((d) => datasetParams(d).privacy.mode);
    expect(modes.filter((mode) => mode === PrivacyMode.EXACT).length).toBeGreaterThanOrEqual(2);
    expect(modes.filter((mode) => mode === PrivacyMode.PRIVATE).length).toBeGreaterThanOrEqual(2);
  });

  it.each(DEMO_DATASETS.filter((d) => d.privacy).map((d) => [d.name, d] as const))(
    "encodes %s's private setting as the contract accepts it, and approves no kind a private dataset refuses",
    (_name, dataset) => {
      const { privacy } = datasetParams(dataset);
      const profile = SENSOR_PROFILES[dataset.kind];
      // The range in encoded units: value × 10^scale − offset.
      const [lo, hi] = dataset.privacy!.range.map((v) => BigInt(Math.round(v * 10 ** profile.scale)) - profile.offset);
      expect([privacy.lowerBound, privacy.upperBound]).toEqual([lo, hi]);
      expect(privacy.lowerBound < privacy.upperBound && privacy.upperBound <= MAX_PRIVACY_BOUND).toBe(true);
      expect(privacy.minEpsilon).toBeGreaterThan(0);
      expect(privacy.minEpsilon).toBeLessThanOrEqual(privacy.maxEpsilon);
      expect(privacy.maxEpsilon).toBeLessThanOrEqual(Math.min(privacy.budget, MAX_EPSILON));
      for (const kind of [RecipeKind.MIN, RecipeKind.MAX, RecipeKind.ALERT]) expect(dataset.approvedKinds & (1 << kind)).toBe(0);
    },
  );
});
