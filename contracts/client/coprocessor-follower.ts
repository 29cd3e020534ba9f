/**
 * Keeps the fhevm mock's coprocessor caught up with the chain inside `hardhat node`, so that no
 * decryption waits for a backlog of unrelated events.
 *
 * The mock (@fhevm/mock-utils `MockCoprocessor`) computes the plaintext of every encrypted operation
 * from the executor's events, but only lazily: `awaitCoprocessor()` reads every event since the last
 * call (`eth_getLogs` from its cursor to the head) and replays them, and it is called at the start of
 * each decryption (`queryHandlesBytes32AsHex`). A long-running node that appended tens of thousands
 * of readings and ran hundreds of recipes since the last decryption made that decryption replay all
 * of it first: 14 s to 3 minutes for the first number shown in a long-running `npm start`.
 *
 * The follower replays the events as blocks are mined instead: after every request that can mine
 * (the provider wrapper in hardhat.config.ts calls {@link CoprocessorFollower.blockMayHaveBeenMined})
 * and on an idle timer (blocks mined otherwise). A decryption then replays at most the blocks mined
 * since the last catch-up: its own run's last transactions, if any. The mock's `awaitCoprocessor` is
 * not safe to run twice at once (two calls read overlapping block ranges and replay events twice,
 * out of order), so every call of it, the mock's own included, goes through one queue here.
 *
 * Node only; `hardhat.config.ts` installs it on every `hardhat node` of this repository.
 */

/** The part of the mock's coprocessor the follower drives (`MockCoprocessor` of @fhevm/mock-utils 0.4). */
export interface LazyCoprocessor {
  /** Replays every executor event since the last call. */
  awaitCoprocessor(): Promise<void>;
}

/** The node's JSON-RPC method that answers {@link CoprocessorStatus}. */
export const COPROCESSOR_STATUS_METHOD = "iotdm_coprocessorStatus";

/** The relayer methods of the mock that decrypt (they call `awaitCoprocessor` before reading plaintexts). */
export const DECRYPTION_METHODS: readonly string[] = [
  "fhevm_relayer_v1_user_decrypt",
  "fhevm_relayer_v1_delegated_user_decrypt",
  "fhevm_relayer_v1_public_decrypt",
  "fhevm_getClearText",
];

/** JSON-RPC methods after which a block may have been mined (automining: one block per transaction). */
const MINING_METHODS = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "hardhat_mine"]);

/** What the follower has done, as {@link COPROCESSOR_STATUS_METHOD} answers it. */
export interface CoprocessorStatus {
  /** The chain's latest block when the status was read. */
  headBlock: number;
  /** Every executor event up to this block has been replayed (-1 before the first catch-up). */
  processedThroughBlock: number;
  /** Catch-ups run so far (the follower's and the decryptions' own). */
  catchUps: number;
  /** Decryption requests seen. */
  decryptions: number;
  /** Blocks not yet replayed when the last decryption arrived (what it had to replay before its own answer). */
  lastDecryptionBacklogBlocks: number;
  /** The most blocks any decryption found not yet replayed. */
  maxDecryptionBacklogBlocks: number;
  /** The last catch-up's error, if it failed (the next one retries). */
  lastError: string | null;
}

/** A coprocessor kept caught up; see the module's comment. */
export interface CoprocessorFollower {
  /** Replays every event up to the current head (queued behind a running catch-up; joins one not started yet). */
  catchUp(): Promise<void>;
  /** Starts a catch-up soon, without waiting for it (after a request that may have mined a block). */
  blockMayHaveBeenMined(): void;
  /** Notes a decryption request about to be served, and the backlog it finds. */
  noteDecryption(): Promise<void>;
  status(): Promise<CoprocessorStatus>;
  /** Stops the idle timer. */
  stop(): void;
}

/**
 * Makes every `awaitCoprocessor` of `coprocessor` go through one queue, and keeps it caught up: a
 * catch-up after each {@link CoprocessorFollower.blockMayHaveBeenMined} and every `idleIntervalMs`.
 */
export function followCoprocessor(options: {
  coprocessor: LazyCoprocessor;
  /** The chain's latest block number. */
  blockNumber: () => Promise<number>;
  /** Catch-up period when no mining request was seen (default 1 s). */
  idleIntervalMs?: number;
  /** Called with a failed catch-up's error (default: console.error). */
  onError?: (error: unknown) => void;
}): CoprocessorFollower {
  const { coprocessor, blockNumber } = options;
  const onError = options.onError ?? ((error: unknown) => console.error("fhevm mock coprocessor: catch-up failed", error));
  const replay = coprocessor.awaitCoprocessor.bind(coprocessor);
  let tail: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  let soon = false;
  const counts = { processedThroughBlock: -1, catchUps: 0, decryptions: 0, lastDecryptionBacklogBlocks: 0, maxDecryptionBacklogBlocks: 0 };
  let lastError: string | null = null;

  const catchUp = (): Promise<void> => {
    // A catch-up queued but not started yet reads the head when it starts: joining it is enough.
    if (queued) return queued;
    const run = tail.then(async () => {
      queued = undefined;
      // The mock replays up to the head it reads itself, at least this one.
      const head = await blockNumber();
      try {
        await replay();
        lastError = null;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        counts.catchUps++;
      }
      counts.processedThroughBlock = Math.max(counts.processedThroughBlock, head);
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  };
  // The mock's own calls (each decryption's, clearHandleDB's) join the same queue.
  coprocessor.awaitCoprocessor = catchUp;

  const timer = setInterval(() => catchUp().catch(onError), options.idleIntervalMs ?? 1_000);
  timer.unref();

  return {
    catchUp,
    blockMayHaveBeenMined() {
      // After the request's answer is on its way: the catch-up does not delay the sender.
      if (soon) return;
      soon = true;
      setImmediate(() => {
        soon = false;
        catchUp().catch(onError);
      });
    },
    async noteDecryption() {
      const backlog = Math.max(0, (await blockNumber()) - counts.processedThroughBlock);
      counts.decryptions++;
      counts.lastDecryptionBacklogBlocks = backlog;
      counts.maxDecryptionBacklogBlocks = Math.max(counts.maxDecryptionBacklogBlocks, backlog);
    },
    async status() {
      return { headBlock: await blockNumber(), ...counts, lastError };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * What the node's provider wrapper does with one JSON-RPC request: answers
 * {@link COPROCESSOR_STATUS_METHOD}, notes decryptions before they are served, and starts a catch-up
 * after requests that may have mined a block. `follower` is undefined until the node is ready (and
 * outside `hardhat node`): then requests are only forwarded.
 */
export async function followerRequest(
  args: { method: string; params?: unknown },
  forward: (args: { method: string; params?: unknown }) => Promise<unknown>,
  follower: CoprocessorFollower | undefined,
): Promise<unknown> {
  if (args.method === COPROCESSOR_STATUS_METHOD) {
    if (!follower) throw new Error(`${COPROCESSOR_STATUS_METHOD}: this chain does not follow its fhevm mock's coprocessor (not a hardhat node of this repository?)`);
    return follower.status();
  }
  if (!follower) return forward(args);
  if (DECRYPTION_METHODS.includes(args.method)) await follower.noteDecryption();
  const result = await forward(args);
  if (MINING_METHODS.has(args.method)) follower.blockMayHaveBeenMined();
  return result;
}

/** Reads a local node's {@link CoprocessorStatus} (through an ethers JsonRpcProvider, say). */
export async function readCoprocessorStatus(provider: { send(method: string, params: unknown[]): Promise<unknown> }): Promise<CoprocessorStatus> {
  return (await provider.send(COPROCESSOR_STATUS_METHOD, [])) as CoprocessorStatus;
}
