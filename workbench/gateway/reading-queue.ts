/**
 * The gateway's durable queue in Redis: what the gateway has acknowledged to the broker and not yet
 * seen appended on the chain. One list of items per dataset (in acceptance order), the last
 * sequence number and timestamp accepted from each device, the batch in flight per dataset, and
 * counters.
 *
 * Acceptance is one Lua script, so that "is it a duplicate?", "is it in order?" and "queue it and
 * remember its sequence number" happen at once: a message redelivered after a gateway crash (it was
 * queued, but the broker never got the acknowledgement) is recognised by its sequence number and
 * queued once. Completion of a batch is another script: its items leave the list together with the
 * record of the transaction that carried them.
 */
import type { Redis } from "ioredis";

/** A queued mode (b) reading: the gateway encrypts it. */
export interface PlainItem {
  kind: "plain";
  deviceId: string;
  seq: number;
  t: number;
  value: number;
  /** When the gateway queued it (ms): a batch waits at most so long for more readings. */
  queuedAt: number;
}

/** A queued mode (a) batch: forwarded as the device encrypted it. */
export interface SealedItem {
  kind: "sealed";
  deviceId: string;
  seq: number;
  t: number[];
  handles: string[];
  inputProof: string;
  queuedAt: number;
}

export type QueueItem = PlainItem | SealedItem;

/** The outcome of offering a message to the queue. */
export type AcceptOutcome =
  | { status: "queued" }
  | { status: "duplicate"; lastSeq: number }
  | { status: "out-of-order"; lastTimestamp: number }
  | { status: "too-old" };

/**
 * A batch handed to the chain: the signed transaction is recorded *before* it is broadcast, so that a
 * gateway killed at any point finds out after a restart whether it was mined (by its hash), and
 * otherwise broadcasts the very same transaction again: it can be mined at most once.
 */
export interface InFlightBatch {
  /** Items at the head of the dataset's list that the transaction carries. */
  items: number;
  hash: string;
  raw: string;
  nonce: number;
  /** The chain it was signed for (a restarted local chain has a new genesis). */
  genesisHash: string;
}

/** Counters of a gateway since its Redis state was created. */
export interface QueueCounters {
  queued: number;
  duplicates: number;
  refused: number;
  appended: number;
  batches: number;
}

const ACCEPT = `
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) <= last then
  redis.call('HINCRBY', KEYS[5], 'duplicates', 1)
  return {'duplicate', tostring(redis.call('HGET', KEYS[1], ARGV[1]))}
end
if tonumber(ARGV[4]) < tonumber(ARGV[8]) then
  redis.call('HINCRBY', KEYS[5], 'refused', 1)
  return {'too-old', ''}
end
local lastTs = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[4]) < lastTs then
  redis.call('HINCRBY', KEYS[5], 'refused', 1)
  return {'out-of-order', tostring(lastTs)}
end
for i = 10, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
redis.call('SADD', KEYS[4], ARGV[7])
redis.call('HINCRBY', KEYS[5], 'queued', tonumber(ARGV[9]))
return {'queued', ''}
`;

const COMPLETE = `
redis.call('LTRIM', KEYS[1], tonumber(ARGV[1]), -1)
redis.call('DEL', KEYS[2])
redis.call('HINCRBY', KEYS[3], 'appended', tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[3], 'batches', 1)
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[4], ARGV[3]) end
return 1
`;

/** See the module comment. `prefix` namespaces every key (a gateway's own). */
export class ReadingQueue {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { redis: Redis; prefix: string }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#redis.defineCommand("gatewayAccept", { numberOfKeys: 5, lua: ACCEPT });
    this.#redis.defineCommand("gatewayComplete", { numberOfKeys: 4, lua: COMPLETE });
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(":");
  }

  /**
   * Queues the readings of one device message (plain: one item per reading; sealed: one item)
   * unless its first sequence number is not above the device's last accepted one (a duplicate), its
   * first timestamp is before the device's last accepted one (out of order), or it is older than
   * `minTimestamp` (too old).
   */
  async accept(options: { datasetId: string; deviceId: string; items: QueueItem[]; minTimestamp: number }): Promise<AcceptOutcome> {
    const { datasetId, items } = options;
    const device = `${datasetId}/${options.deviceId}`;
    const times = items.flatMap((item) => (item.kind === "plain" ? [item.t] : item.t));
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const lastSeq = last.kind === "plain" ? last.seq : last.seq + last.handles.length - 1;
    const [status, detail] = (await (this.#redis as Redis & { gatewayAccept: (...args: (string | number)[]) => Promise<[string, string]> }).gatewayAccept(
      this.#key("seq"),
      this.#key("ts"),
      this.#key("pending", datasetId),
      this.#key("datasets"),
      this.#key("stats"),
      device,
      String(first.seq),
      String(lastSeq),
      String(times[0]),
      String(times[times.length - 1]),
      "",
      datasetId,
      String(options.minTimestamp),
      String(times.length),
      ...items.map((item) => JSON.stringify(item)),
    )) as [string, string];
    if (status === "queued") return { status };
    if (status === "duplicate") return { status, lastSeq: Number(detail) };
    if (status === "out-of-order") return { status, lastTimestamp: Number(detail) };
    return { status: "too-old" };
  }

  /** Counts a message refused before it reached the queue (bad payload, unknown device). */
  async countRefused(): Promise<void> {
    await this.#redis.hincrby(this.#key("stats"), "refused", 1);
  }

  /** Datasets with queued items. */
  async datasets(): Promise<string[]> {
    return this.#redis.smembers(this.#key("datasets"));
  }

  /** The first `count` items of a dataset's queue. */
  async head(datasetId: string, count: number): Promise<QueueItem[]> {
    const raw = await this.#redis.lrange(this.#key("pending", datasetId), 0, count - 1);
    return raw.map((text) => JSON.parse(text) as QueueItem);
  }

  /** Items queued for a dataset. */
  async length(datasetId: string): Promise<number> {
    return this.#redis.llen(this.#key("pending", datasetId));
  }

  /** Records the transaction about to carry the head of a dataset's queue. */
  async setInFlight(datasetId: string, batch: InFlightBatch): Promise<void> {
    await this.#redis.set(this.#key("inflight", datasetId), JSON.stringify(batch));
  }

  /** The recorded transaction of a dataset, if any. */
  async inFlight(datasetId: string): Promise<InFlightBatch | undefined> {
    const text = await this.#redis.get(this.#key("inflight", datasetId));
    return text ? (JSON.parse(text) as InFlightBatch) : undefined;
  }

  /** Forgets a recorded transaction that did not land (the items stay queued). */
  async clearInFlight(datasetId: string): Promise<void> {
    await this.#redis.del(this.#key("inflight", datasetId));
  }

  /** The head `items` of a dataset's queue are on the chain (`readings` of them): drop them with the record. */
  async complete(options: { datasetId: string; items: number; readings: number }): Promise<void> {
    await (this.#redis as Redis & { gatewayComplete: (...args: (string | number)[]) => Promise<number> }).gatewayComplete(
      this.#key("pending", options.datasetId),
      this.#key("inflight", options.datasetId),
      this.#key("stats"),
      this.#key("datasets"),
      String(options.items),
      String(options.readings),
      options.datasetId,
    );
  }

  /** Drops the head item of a dataset's queue without appending it (a sealed batch the market refuses). */
  async dropHead(datasetId: string): Promise<void> {
    await this.#redis.multi().lpop(this.#key("pending", datasetId)).hincrby(this.#key("stats"), "refused", 1).exec();
  }

  /** The counters. */
  async counters(): Promise<QueueCounters> {
    const raw = await this.#redis.hgetall(this.#key("stats"));
    const n = (name: string) => Number(raw[name] ?? 0);
    return { queued: n("queued"), duplicates: n("duplicates"), refused: n("refused"), appended: n("appended"), batches: n("batches") };
  }

  /** Deletes every key of this queue (tests, and a fresh start). */
  async destroy(): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = await this.#redis.scan(cursor, "MATCH", `${this.#prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await this.#redis.del(...keys);
    } while (cursor !== "0");
  }
}
