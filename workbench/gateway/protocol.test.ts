import { describe, expect, it } from "vitest";
import { DeviceMessage, deviceTopics, parseReadingsTopic, seqRange } from "./protocol";

describe("gateway protocol", () => {
  it("names one readings and one status topic per dataset and device, and reads them back", () => {
    const topics = deviceTopics({ prefix: "iotdm", datasetId: "3", deviceId: "meter-7" });
    expect(topics).toEqual({ readings: "iotdm/datasets/3/devices/meter-7/readings", status: "iotdm/datasets/3/devices/meter-7/status" });
    expect(parseReadingsTopic("iotdm", topics.readings)).toEqual({ datasetId: "3", deviceId: "meter-7" });
    expect(parseReadingsTopic("iotdm", topics.status)).toBeUndefined();
    expect(parseReadingsTopic("other", topics.readings)).toBeUndefined();
  });

  it("accept plain and sealed messages of up to 32 readings with one timestamp each, non-decreasing", () => {
    const plain = DeviceMessage.parse({ v: 1, mode: "plain", seq: 5, t: [10, 10, 11], values: [1.5, 2, 3] });
    expect(seqRange(plain)).toEqual({ seq: 5, lastSeq: 7 });
    const handle = `0x${"ab".repeat(32)}`;
    expect(DeviceMessage.safeParse({ v: 1, mode: "sealed", seq: 1, t: [1, 2], handles: [handle, handle], inputProof: "0x01" }).success).toBe(true);
    expect(DeviceMessage.safeParse({ v: 1, mode: "plain", seq: 5, t: [11, 10], values: [1, 2] }).success).toBe(false);
    expect(DeviceMessage.safeParse({ v: 1, mode: "plain", seq: 5, t: [10], values: [1, 2] }).success).toBe(false);
    expect(DeviceMessage.safeParse({ v: 1, mode: "plain", seq: 5, t: Array(33).fill(1), values: Array(33).fill(1) }).success).toBe(false);
    expect(DeviceMessage.safeParse({ v: 1, mode: "sealed", seq: 1, t: [1], handles: [handle], inputProof: "0x" }).success).toBe(false);
  });
});
