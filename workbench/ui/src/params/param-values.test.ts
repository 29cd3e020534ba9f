import { describe, expect, it } from "vitest";
import { isParamValue, paramControls, withParamValue } from "./param-values";

const RECIPE = `# Hot hours
param hot = 30.0 "Hot above (°C)"
param cold = -5
from "greenhouse" window last 24h
count(temperature > hot)
count(temperature < cold)`;

describe("parameters as controls", () => {
  it("writes a control's value into the param line, leaving the rest as it was", () => {
    const next = withParamValue(RECIPE, "hot", "32.5");
    expect(next).toBe(RECIPE.replace("param hot = 30.0", "param hot = 32.5"));
    expect(withParamValue(next, "cold", "-7")).toContain("param cold = -7\n");
    expect(withParamValue(RECIPE, "warm", "1")).toBe(RECIPE);
  });

  it("accepts decimals only", () => {
    expect(isParamValue("-12.5")).toBe(true);
    expect(isParamValue("1e3")).toBe(false);
    expect(isParamValue("")).toBe(false);
  });

  it("spans the sensor's range in steps of the dataset's resolution, labelled by the description", () => {
    const [hot, cold] = paramControls(
      [
        { name: "hot", value: "30.0", description: "Hot above (°C)" },
        { name: "cold", value: "-5" },
      ],
      { kind: "temperature", scale: 2 },
    );
    expect(hot).toEqual({ name: "hot", value: "30.0", label: "Hot above (°C)", min: -40, max: 60, step: 0.01 });
    expect(cold!.label).toBe("cold");
    expect(paramControls([{ name: "n", value: "30" }])[0]).toMatchObject({ min: 0, max: 60, step: 1 });
  });
});
