/**
 * The devices a gateway serves, and who may connect to its broker: one entry per device (its
 * dataset, its mode, its password's hash) and the gateway's own login. Passwords are kept only as
 * hashes in Mosquitto's `$7$` format (PBKDF2-SHA512), so that the same file feeds the embedded
 * broker's checks and the password file `--mosquitto-config` prints for an external Mosquitto.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DatasetIdText, DeviceId, TopicPrefix } from "./protocol";

/** (a) `sealed`: the device encrypts; (b) `plain`: the gateway encrypts. */
export const DEVICE_MODES = ["sealed", "plain"] as const;
export type DeviceMode = (typeof DEVICE_MODES)[number];

/** A password hash as `mosquitto_passwd` writes it: `$7$<iterations>$<salt>$<sha512>`, base64. */
const PasswordHash = z.string().regex(/^\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, "must be a $7$ (PBKDF2-SHA512) password hash");

const DeviceEntry = z.object({
  id: DeviceId,
  datasetId: DatasetIdText,
  mode: z.enum(DEVICE_MODES),
  passwordHash: PasswordHash,
});
export type DeviceEntry = z.infer<typeof DeviceEntry>;

const RegistrySchema = z.object({
  version: z.literal(1),
  topicPrefix: TopicPrefix,
  /** The gateway's own broker login (subscribes to readings, publishes statuses). */
  gateway: z.object({ username: DeviceId, passwordHash: PasswordHash }),
  devices: z.array(DeviceEntry).refine((devices) => new Set(devices.map((d) => d.id)).size === devices.length, { message: "device ids must be unique" }),
});
export type DeviceRegistry = z.infer<typeof RegistrySchema>;

/** Mosquitto's own default iteration count for `$7$` hashes. */
const ITERATIONS = 101;

/** Hashes `password` as `mosquitto_passwd` does (a fresh 12-byte salt). */
export function hashPassword(password: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 64, "sha512");
  return `$7$${ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** True when `password` matches a `$7$` hash (in constant time). */
export function verifyPassword(password: string | Buffer, passwordHash: string): boolean {
  const [, kind, iterations, salt, hash] = passwordHash.split("$");
  if (kind !== "7" || !iterations || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = pbkdf2Sync(password, Buffer.from(salt, "base64"), Number(iterations), expected.length, "sha512");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A random password for a device or the gateway (24 bytes, base64url). */
export function newPassword(): string {
  return randomBytes(24).toString("base64url");
}

/** Checks a registry object; throws with every problem named. */
export function parseRegistry(value: unknown, where = "device registry"): DeviceRegistry {
  const parsed = RegistrySchema.safeParse(value);
  if (!parsed.success) throw new Error(`${where} is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Reads a registry file (JSON). */
export function readRegistry(file: string): DeviceRegistry {
  return parseRegistry(JSON.parse(readFileSync(file, "utf8")), file);
}

/** Writes a registry file atomically. */
export function writeRegistry(file: string, registry: DeviceRegistry): void {
  const valid = parseRegistry(registry);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The device `deviceId` of dataset `datasetId`, if registered. */
export function findDevice(registry: DeviceRegistry, datasetId: string, deviceId: string): DeviceEntry | undefined {
  return registry.devices.find((device) => device.id === deviceId && device.datasetId === datasetId);
}
