import { describe, expect, it } from "vitest";
import { accessRefusalMessage, isAccessRefusal } from "./access-refusal";

const greenhouse = { id: "1", name: "greenhouse" };

describe("access refusal", () => {
  it("names the dataset and says what to do", () => {
    expect(accessRefusalMessage("ERR_DATASET_NO_ACCESS", greenhouse)).toBe("You have no access to greenhouse (dataset #1) yet; buy an access period to run recipes on it.");
    expect(accessRefusalMessage("ERR_DATASET_ACCESS_EXPIRED", greenhouse)).toBe("Your access to greenhouse (dataset #1) has ended; buy another period to run recipes on it.");
  });

  it("recognises only the service's access codes", () => {
    expect(isAccessRefusal("ERR_DATASET_NO_ACCESS")).toBe(true);
    expect(isAccessRefusal("ERR_DATASET_ACCESS_EXPIRED")).toBe(true);
    expect(isAccessRefusal("ERR_RECIPE_INVALID")).toBe(false);
    expect(isAccessRefusal(undefined)).toBe(false);
  });
});
