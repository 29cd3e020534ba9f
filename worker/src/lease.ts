/**
 * A lease in Redis: one holder at a time for a name, for as long as the holder keeps renewing it.
 * A holder that dies stops renewing, and its lease expires after `ttlMs`, so nobody has to clean
 * up after it. Used for a worker's relayer key (one live worker per key, see relayer-identity.ts)
 * and for the service's chain indexer (one instance writes).
 *
 * The value is the holder's identity (a JSON {@link LeaseHolder}); every change is a compare-and-set
 * on it in a Lua script, so a holder never renews or releases a lease someone else took meanwhile.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Redis } from "ioredis";

/** Who holds a lease, as stored in it. */
export interface LeaseHolder {
  /** Unique per holder (a random id per process and lease). */
  id: string;
  /** What holds it, in words ("worker", "workbench indexer"). */
  role: string;
  host: string;
  pid: number;
  /** ISO time it was first taken. */
  since: string;
}

/** A lease as seen by someone who does not hold it. */
export interface LeaseState {
  holder: LeaseHolder | undefined;
  /** The raw value (compared to tell one holder from the next). */
  value: string;
  /** Milliseconds until it expires unless renewed. */
  ttlMs: number;
}

const ACQUIRE = `
local holder = redis.call("GET", KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 1
end
return 0`;

const RENEW = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/** A lease key and the value that marks its holder. */
export interface LeaseKey {
  redis: Redis;
  key: string;
  /** The holder's identity as stored in the key (compared to tell one holder from another). */
  value: string;
}

/**
 * The compare-and-set steps of a lease on one key, for holders that need no {@link RedisLease} (a
 * schedule's tick holds its schedule's lease under its job id): take it when free or already this
 * holder's, renew it while this holder's, release it if this holder's. The first two return whether
 * this holder has it.
 */
export const leaseSteps = {
  async acquire(lease: LeaseKey & { ttlMs: number }): Promise<boolean> {
    return (await lease.redis.eval(ACQUIRE, 1, lease.key, lease.value, lease.ttlMs)) === 1;
  },
  async renew(lease: LeaseKey & { ttlMs: number }): Promise<boolean> {
    return (await lease.redis.eval(RENEW, 1, lease.key, lease.value, lease.ttlMs)) === 1;
  },
  async release(lease: LeaseKey): Promise<void> {
    await lease.redis.eval(RELEASE, 1, lease.key, lease.value);
  },
};

/** Options of a {@link RedisLease}. */
export interface RedisLeaseOptions {
  redis: Redis;
  /** The Redis key of the lease. */
  key: string;
  /** How long the lease outlives its holder's last renewal. */
  ttlMs: number;
  /** What holds it, in words (stored with the holder's host and pid). */
  role: string;
}

/** One lease, from the point of view of one would-be holder. */
export class RedisLease {
  readonly key: string;
  readonly ttlMs: number;
  readonly holder: LeaseHolder;
  readonly #redis: Redis;
  readonly #value: string;
  #keeping: NodeJS.Timeout | undefined;

  constructor(options: RedisLeaseOptions) {
    this.key = options.key;
    this.ttlMs = options.ttlMs;
    this.#redis = options.redis;
    this.holder = { id: randomUUID(), role: options.role, host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
    this.#value = JSON.stringify(this.holder);
  }

  /** Takes the lease if nobody holds it (or renews it if this holder does); false if another holds it. */
  async tryAcquire(): Promise<boolean> {
    return leaseSteps.acquire({ redis: this.#redis, key: this.key, value: this.#value, ttlMs: this.ttlMs });
  }

  /** Extends the lease while this holder holds it; false if it expired or another took it. */
  async renew(): Promise<boolean> {
    return leaseSteps.renew({ redis: this.#redis, key: this.key, value: this.#value, ttlMs: this.ttlMs });
  }

  /** Stops keeping it and gives it up if this holder holds it. */
  async release(): Promise<void> {
    this.stopKeeping();
    await leaseSteps.release({ redis: this.#redis, key: this.key, value: this.#value });
  }

  /** The lease as it is now: undefined when nobody holds it. */
  async state(): Promise<LeaseState | undefined> {
    const [value, ttlMs] = await Promise.all([this.#redis.get(this.key), this.#redis.pttl(this.key)]);
    if (value === null || ttlMs < 0) return undefined;
    return { holder: parseHolder(value), value, ttlMs };
  }

  /**
   * Renews the lease every third of its TTL until {@link release} or {@link stopKeeping}. A lease
   * that expired meanwhile (the process stalled, Redis lost its data) is taken again if it is free;
   * `onLost` is called once if another holder has it, with that holder. Redis errors are retried at
   * the next renewal: a lease is only lost to another holder, never to a connection problem.
   */
  keep(options: { onLost: (other: LeaseState | undefined) => void; onError?: (error: unknown) => void; onRetaken?: () => void }): void {
    this.stopKeeping();
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        if (await this.renew()) return;
        if (await this.tryAcquire()) {
          options.onRetaken?.();
          return;
        }
        this.stopKeeping();
        options.onLost(await this.state().catch(() => undefined));
      } catch (error) {
        options.onError?.(error);
      } finally {
        busy = false;
      }
    };
    this.#keeping = setInterval(() => void tick(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.#keeping.unref();
  }

  /** Stops renewing (the lease then expires by itself). */
  stopKeeping(): void {
    clearInterval(this.#keeping);
    this.#keeping = undefined;
  }
}

/** A holder read back from a lease's value (undefined for a value this module did not write). */
export function parseHolder(value: string): LeaseHolder | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<LeaseHolder>;
    if (typeof parsed.id !== "string" || typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return parsed as LeaseHolder;
  } catch {
    return undefined;
  }
}

/** "pid 123 on host h, since 12:00:00 UTC" — a holder in words. */
export function describeHolder(holder: LeaseHolder | undefined): string {
  if (!holder) return "a holder this version cannot describe";
  return `${holder.role} pid ${holder.pid} on host ${holder.host}, since ${holder.since}`;
}
