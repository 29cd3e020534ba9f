import { describe, expect, it } from "vitest";
import { maskFromKinds } from "../lib/recipes";
import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import { approvalChanges, checkDatasetForm, describeRollups, isCompatibleBucketSize, ROLLUP_CHOICES, rollupMask, type DatasetForm } from "./dataset-form";

const form = (change: Partial<DatasetForm> = {}): DatasetForm => ({
  name: "greenhouse",
  field: "temperature",
  unit: "°C",
  scale: "2",
  lowest: "-50",
  price: "0.001",
  periodValue: "1",
  periodUnit: "days",
  k: "10",
  ...change,
});

describe("create-dataset form", () => {
  it("converts the fields to the contract's parameters", () => {
    expect(checkDatasetForm(form())).toEqual({
      ok: true,
      params: { name: "greenhouse", field: "temperature", unit: "°C", scale: 2, offset: -5000n, pricePerPeriod: 1_000_000_000_000_000n, periodSeconds: 86_400, bucketSize: 10n, privacy: EXACT_PRIVACY, rollups: 1 },
    });
    expect(checkDatasetForm(form({ lowest: "-12.5", scale: "1", periodUnit: "hours", periodValue: "6" }))).toMatchObject({
      ok: true,
      params: { offset: -125n, scale: 1, periodSeconds: 21_600 },
    });
  });

  it("explains each wrong field", () => {
    const result = checkDatasetForm(form({ name: " ", field: "room temp", scale: "19", price: "free", k: "0", periodValue: "1.5" }));
    expect(result.ok).toBe(false);
    expect(Object.keys(result.ok ? {} : result.errors).sort()).toEqual(["field", "k", "name", "periodValue", "price", "scale"]);
    expect(checkDatasetForm(form({ lowest: "-0.125" }))).toEqual({ ok: false, errors: { lowest: "At most 2 decimals (the dataset's precision)." } });
    expect(checkDatasetForm(form({ field: "value" }))).toMatchObject({ ok: false });
  });
});

describe("approvals", () => {
  it("approves what was ticked and revokes what was unticked", () => {
    const current = maskFromKinds(["COUNT", "MEAN", "HISTOGRAM"]);
    expect(approvalChanges(current, ["COUNT", "SUM", "MEAN"])).toEqual({ approve: maskFromKinds(["SUM"]), revoke: maskFromKinds(["HISTOGRAM"]) });
    expect(approvalChanges(current, ["COUNT", "MEAN", "HISTOGRAM"])).toEqual({ approve: 0, revoke: 0 });
  });

  it("allows a new k only as a multiple or a divisor of the current one", () => {
    expect(isCompatibleBucketSize(10, 20)).toBe(true);
    expect(isCompatibleBucketSize(10, 5)).toBe(true);
    expect(isCompatibleBucketSize(10, 15)).toBe(false);
    expect(isCompatibleBucketSize(10, 0)).toBe(false);
  });
});

describe("rollup choice", () => {
  it("always keeps the sum, adds the chosen rollups' bits and shows each one's ingestion HCU", () => {
    expect(rollupMask([])).toBe(1);
    expect(rollupMask(["SUM", "MIN", "MAX"])).toBe(1 | 4 | 8);
    expect(rollupMask(["SQUARES"])).toBe(1 | 2);
    expect(ROLLUP_CHOICES.map((c) => [c.name, c.hcuPerReading, c.required])).toEqual([
      ["SUM", 162_000, true],
      ["SQUARES", 758_000, false],
      ["MIN", 219_000, false],
      ["MAX", 218_000, false],
    ]);
  });

  it("describes the rollups a dataset keeps, or says that runs read every reading without them", () => {
    expect(describeRollups({ rollups: 1 | 4, rollupBlockSize: 8 })).toBe("Sum, minimum (blocks of 8 readings)");
    expect(describeRollups({ rollups: 15, rollupBlockSize: 2n })).toBe("Sum, sum of squares, minimum, maximum (blocks of 2 readings)");
    expect(describeRollups({ rollups: 0, rollupBlockSize: 0 })).toBe("None: every run reads each reading of its window");
  });
});
