/**
 * A worker's relayer identity: the one key it signs with, held exclusively among the live workers
 * of its queue. Nonces are managed per process (tx-sender.ts), so two processes signing with one
 * key would race for them; each worker therefore takes a lease on its relayer's address in the
 * queue's Redis (`<prefix>:<queue>:relayer:<address>`) and renews it while it lives.
 *
 * A worker is given one key (RELAYER_PRIVATE_KEY) or a list (RELAYER_PRIVATE_KEYS, the same list
 * for every replica of a Compose service): it takes the first key of its list that no live worker
 * holds. A key whose lease is held is watched: a live holder renews it (every third of the TTL),
 * which shows as its time-to-live going up; a dead holder's lease just runs out, within one TTL, and
 * is taken. When every candidate is seen renewed, or none frees up within a TTL, the worker refuses
 * to start with {@link RelayerInUseError}, naming who holds each key.
 */
import { Wallet } from "ethers";
import type { Redis } from "ioredis";
import { describeHolder, RedisLease, type LeaseState } from "./lease";

/** How long a dead worker's key stays reserved, by default. */
export const DEFAULT_RELAYER_LEASE_MS = 15_000;

/** No candidate key is free: each is held by a live worker of the queue. */
export class RelayerInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RelayerInUseError";
  }
}

/** The key a worker claimed, and its lease (renew it with `keep`, give it up with `release`). */
export interface RelayerIdentity {
  privateKey: string;
  address: string;
  lease: RedisLease;
  /** 1-based position of the key in the candidate list. */
  position: number;
}

/** The Redis key of relayer `address`'s lease on a queue. */
export function relayerLeaseKey(options: { prefix: string; queueName: string; address: string }): string {
  return `${options.prefix}:${options.queueName}:relayer:${options.address.toLowerCase()}`;
}

/**
 * Claims the first of `privateKeys` that no live worker of the queue holds; see the module comment.
 * Resolves once one is held; rejects with {@link RelayerInUseError} when none frees up.
 */
export async function claimRelayer(options: {
  redis: Redis;
  prefix: string;
  queueName: string;
  privateKeys: readonly string[];
  ttlMs?: number;
  /** Between two looks at the held keys. */
  pollMs?: number;
  /** Told once per key found held, while waiting to see whether its holder is alive. */
  onWaiting?: (info: { address: string; state: LeaseState }) => void;
}): Promise<RelayerIdentity> {
  const ttlMs = options.ttlMs ?? DEFAULT_RELAYER_LEASE_MS;
  const pollMs = options.pollMs ?? Math.min(500, Math.max(50, Math.floor(ttlMs / 10)));
  if (options.privateKeys.length === 0) throw new Error("claimRelayer needs at least one private key");
  const candidates = options.privateKeys.map((privateKey, i) => {
    const address = new Wallet(privateKey).address;
    return {
      privateKey,
      address,
      position: i + 1,
      lease: new RedisLease({ redis: options.redis, key: relayerLeaseKey({ ...options, address }), ttlMs, role: "worker" }),
    };
  });

  /** What was last seen of each held key, to tell a renewed lease from one running out. */
  const seen = new Map<string, { value: string; ttlMs: number }>();
  const live = new Map<string, LeaseState>();
  // A lease not renewed runs out within its TTL; allow a few polls more before calling it kept.
  const deadline = Date.now() + ttlMs + 4 * pollMs;
  for (;;) {
    for (const candidate of candidates) {
      if (live.has(candidate.address)) continue;
      if (await candidate.lease.tryAcquire()) return candidate;
      const state = await candidate.lease.state();
      if (!state) continue; // expired between the two calls: the next pass takes it
      const before = seen.get(candidate.address);
      if (!before) options.onWaiting?.({ address: candidate.address, state });
      // A lease nobody renews only counts down; one whose TTL went back up (or that someone new
      // took) has a live holder. Redis's own clock, so no local timing enters the judgement.
      if (before && (before.value !== state.value || state.ttlMs > before.ttlMs + 20)) live.set(candidate.address, state);
      seen.set(candidate.address, { value: state.value, ttlMs: state.ttlMs });
    }
    if (live.size === candidates.length || Date.now() > deadline) {
      throw new RelayerInUseError(inUseMessage({ ...options, candidates, live }));
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function inUseMessage(options: {
  prefix: string;
  queueName: string;
  candidates: readonly { address: string }[];
  live: ReadonlyMap<string, LeaseState>;
}): string {
  const queue = `${options.prefix}:${options.queueName}`;
  const holders = options.candidates.map(({ address }) => `${address} (${describeHolder(options.live.get(address)?.holder)})`);
  const one = options.candidates.length === 1;
  return (
    `${one ? `Another live worker on queue ${queue} signs with relayer ${holders[0]}` : `Every relayer key of RELAYER_PRIVATE_KEYS is in use by a live worker on queue ${queue}: ${holders.join("; ")}`}. ` +
    "Two workers signing with one key would race for its nonces, so this one does not start. " +
    `Give it a key of its own that holds the market's OPERATOR_ROLE (${one ? "RELAYER_PRIVATE_KEY" : "add one to RELAYER_PRIVATE_KEYS"}; README, "Running on several machines"), or stop the other worker.`
  );
}
