/**
 * The MQTT protocol between devices and the gateway: topics, payloads (zod, JSON) and statuses.
 * Both sides import it, so that they cannot drift.
 *
 * Topics (one per dataset and device), under a prefix (default `iotdm`):
 *
 * - `<prefix>/datasets/<datasetId>/devices/<deviceId>/readings`: the device publishes (QoS 1);
 * - `<prefix>/datasets/<datasetId>/devices/<deviceId>/status`: the gateway answers every message
 *   there (queued, duplicate, refused with a reason, appended with the transaction);
 * - `<prefix>/gateway`: the gateway's retained description (its address, the market, the chain),
 *   which a mode (a) device needs to encrypt for the gateway.
 *
 * Payloads: mode (b) `plain` carries up to 32 readings in clear; mode (a) `sealed` carries up to
 * 32 readings encrypted by the device for (market, gateway address) with one input proof. Every
 * reading has a device sequence number: a message numbers its readings `seq`, `seq + 1`, ….
 *
 * Delivery: a device has one message in flight at a time and sends the next (with whatever it
 * measured meanwhile) once the status topic answered the previous one; it resends the same message
 * (same `seq`) when no answer came. So the gateway never sees a newer message before an older one
 * it has not answered, and "`seq` not above the last accepted" means exactly "a duplicate".
 */
import { z } from "zod";

/** At most 32 euint64 fit one input proof (2048 bits). */
export const MAX_READINGS_PER_PROOF = 32;

/** Device ids are one topic level: no wildcards, no separators, short enough for a client id. */
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'");

/** A decimal dataset id, as in the contract. */
export const DatasetIdText = z.string().regex(/^[1-9]\d{0,19}$/, "must be a positive decimal integer");

/** The topic prefix: levels of letters, digits, '-', '_' and '.' (no wildcards). */
export const TopicPrefix = z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "must be topic levels of letters, digits, '-', '_' or '.'");

const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Unix seconds. */
const Timestamp = z.number().int().min(0).max(2 ** 40);
const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex handle");
const HexBytes = z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be non-empty hex bytes");

/** Mode (b): readings in clear, encoded and encrypted by the gateway with the dataset's scale and offset. */
export const PlainReadings = z
  .object({
    v: z.literal(1),
    mode: z.literal("plain"),
    /** The first reading's sequence number; the others follow by one. */
    seq: Seq,
    /** When each reading was taken, unix seconds, non-decreasing. */
    t: z.array(Timestamp).min(1).max(MAX_READINGS_PER_PROOF),
    /** In the dataset's unit (e.g. 21.35 °C). */
    values: z.array(z.number().finite()).min(1).max(MAX_READINGS_PER_PROOF),
  })
  .refine((message) => message.t.length === message.values.length, { message: "t and values must have one entry per reading" })
  .refine((message) => message.t.every((t, i) => i === 0 || t >= message.t[i - 1]!), { message: "t must be non-decreasing" });
export type PlainReadings = z.infer<typeof PlainReadings>;

/** Mode (a): readings the device encrypted itself for (market, gateway address), one proof. */
export const SealedBatch = z
  .object({
    v: z.literal(1),
    mode: z.literal("sealed"),
    /** The first reading's sequence number; the others follow by one. */
    seq: Seq,
    /** One timestamp per reading, unix seconds, non-decreasing. */
    t: z.array(Timestamp).min(1).max(MAX_READINGS_PER_PROOF),
    handles: z.array(Hex32).min(1).max(MAX_READINGS_PER_PROOF),
    inputProof: HexBytes,
  })
  .refine((batch) => batch.t.length === batch.handles.length, { message: "t and handles must have one entry per reading" })
  .refine((batch) => batch.t.every((t, i) => i === 0 || t >= batch.t[i - 1]!), { message: "t must be non-decreasing" });
export type SealedBatch = z.infer<typeof SealedBatch>;

/** What a device publishes on its readings topic. */
export const DeviceMessage = z.discriminatedUnion("mode", [PlainReadings, SealedBatch]);
export type DeviceMessage = z.infer<typeof DeviceMessage>;

/** Why the gateway refused a message; `reason` says it in words. */
export const REFUSAL_CODES = ["bad-payload", "unknown-device", "wrong-mode", "out-of-order", "too-old", "in-the-future", "rejected-by-market"] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** What the gateway publishes on a device's status topic. */
export const DeviceStatus = z.discriminatedUnion("status", [
  /** Durably queued: the device may forget readings `seq` to `lastSeq`. */
  z.object({ status: z.literal("queued"), seq: Seq, lastSeq: Seq }),
  /** Already queued earlier (a redelivery or a resend): nothing to do. */
  z.object({ status: z.literal("duplicate"), seq: Seq, lastSeq: Seq }),
  /** Not queued and never will be; the device may forget it too. */
  z.object({ status: z.literal("refused"), seq: Seq.nullable(), lastSeq: Seq.nullable(), code: z.enum(REFUSAL_CODES), reason: z.string() }),
  /** On the chain: the readings `seq` to `lastSeq` are at indices `firstIndex`… of the dataset. */
  z.object({ status: z.literal("appended"), seq: Seq, lastSeq: Seq, tx: Hex32, firstIndex: z.string() }),
]);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

/** The gateway's retained description on `<prefix>/gateway`. */
export const GatewayInfo = z.object({
  /** The gateway's account: the appender mode (a) devices encrypt for. */
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  market: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  chainId: z.string(),
  online: z.boolean(),
});
export type GatewayInfo = z.infer<typeof GatewayInfo>;

/** The topics of one device. */
export interface DeviceTopics {
  readings: string;
  status: string;
}

/** The topics of device `deviceId` of dataset `datasetId`. */
export function deviceTopics(options: { prefix: string; datasetId: string; deviceId: string }): DeviceTopics {
  const base = `${options.prefix}/datasets/${options.datasetId}/devices/${options.deviceId}`;
  return { readings: `${base}/readings`, status: `${base}/status` };
}

/** The gateway's subscription: every device's readings. */
export function readingsWildcard(prefix: string): string {
  return `${prefix}/datasets/+/devices/+/readings`;
}

/** Every device's status topic (the gateway's publish right). */
export function statusWildcard(prefix: string): string {
  return `${prefix}/datasets/+/devices/+/status`;
}

/** The gateway's retained description. */
export function gatewayInfoTopic(prefix: string): string {
  return `${prefix}/gateway`;
}

/** The dataset and device of a readings topic under `prefix`, or undefined for another topic. */
export function parseReadingsTopic(prefix: string, topic: string): { datasetId: string; deviceId: string } | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const match = /^datasets\/([^/]+)\/devices\/([^/]+)\/readings$/.exec(topic.slice(prefix.length + 1));
  return match ? { datasetId: match[1]!, deviceId: match[2]! } : undefined;
}

/** The sequence numbers a message covers. */
export function seqRange(message: DeviceMessage): { seq: number; lastSeq: number } {
  return { seq: message.seq, lastSeq: message.seq + message.t.length - 1 };
}
