/** Unit-test support: a dataset as the UI holds it, greenhouse-like unless told otherwise. */
import { EXACT_PRIVACY } from "@iotdm/contracts-client";
import type { Dataset } from "../api/datasets-api";
import { kindsFromMask, rollupNames } from "../lib/recipes";

/**
 * An exact greenhouse thermometer (°C, two decimals), every kind approved, no rollups; `overrides` replace fields
 * (kinds follow the approval mask, rollup names the rollup mask).
 */
export function testDataset(overrides: Partial<Dataset> = {}): Dataset {
  const approvedMask = overrides.approvedMask ?? 0b1111111111;
  const rollups = overrides.rollups ?? 0;
  return {
    id: "1",
    seller: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    name: "greenhouse",
    field: "temperature",
    unit: "°C",
    scale: 2,
    offset: "-5000",
    priceWei: "1000000000000000",
    periodSeconds: 86_400,
    k: 10,
    readingCount: 100,
    firstTimestamp: null,
    lastTimestamp: null,
    approvedMask,
    approvedKinds: kindsFromMask(approvedMask),
    paused: false,
    privacy: EXACT_PRIVACY,
    rollups,
    rollupNames: rollupNames(rollups),
    rollupBlockSize: rollups === 0 ? 0 : 10,
    accessExpiresAt: null,
    ...overrides,
  };
}
