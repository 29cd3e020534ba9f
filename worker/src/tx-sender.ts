/**
 * Sends the relayer's transactions. One sender (and one ethers `NonceManager`) per signer, shared by
 * every job of the process, so concurrent jobs get consecutive nonces instead of colliding.
 *
 * A send has two phases, retried separately on transient RPC errors:
 * 1. estimate gas (a revert here is the contract's answer: decoded and never retried), then
 *    broadcast under a per-signer lock so nonces are handed out in broadcast order;
 * 2. wait for the receipt of that hash. A lost connection while waiting re-waits for the same hash
 *    and never re-broadcasts, so a step is not sent twice.
 * A failed broadcast resets the nonce manager, which reloads the pending nonce from the node on the
 * next transaction, so a rejected submission leaves no nonce gap behind.
 */
import {
  NonceManager,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
  type TransactionResponse,
} from "ethers";
import type { Logger } from "pino";
import { classifyChainError, type RevertDecoder, RunRejectedError, TransientChainError } from "./errors";
import { DEFAULT_RETRY_POLICY, retryWithBackoff, type RetryPolicy } from "./retry";

/** A mined, successful transaction. */
export interface SentTransaction {
  hash: string;
  receipt: TransactionReceipt;
  gasLimit: bigint;
}

/** Options of a {@link TransactionSender}. */
export interface TransactionSenderOptions {
  signer: Signer;
  logger?: Logger;
  /** Retries inside one send for transient RPC errors. */
  retry?: RetryPolicy;
  /** Gas limit = estimate × (100 + headroom) / 100. */
  gasHeadroomPercent?: number;
  /** How long to wait for a receipt before calling it a transient failure. */
  receiptTimeoutMs?: number;
  /** Reads the market's custom errors out of a revert. */
  decode?: RevertDecoder;
}

const senders = new WeakMap<Signer, TransactionSender>();

/** The relayer's transaction sender (see the module comment). */
export class TransactionSender {
  readonly #nonceManager: NonceManager;
  readonly #provider: Provider;
  readonly #options: Required<Omit<TransactionSenderOptions, "logger" | "decode" | "signer">> &
    Pick<TransactionSenderOptions, "logger" | "decode">;
  /** Tail of the broadcast chain: each broadcast starts after the previous one settled. */
  #broadcasts: Promise<unknown> = Promise.resolve();
  /** Gas estimates by the callers' `gasKey`. */
  readonly #gasEstimates = new Map<string, bigint>();
  #address?: Promise<string>;

  constructor(options: TransactionSenderOptions) {
    if (!options.signer.provider) throw new Error("TransactionSender needs a signer connected to a provider");
    this.#provider = options.signer.provider;
    this.#nonceManager = options.signer instanceof NonceManager ? options.signer : new NonceManager(options.signer);
    this.#options = {
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      gasHeadroomPercent: options.gasHeadroomPercent ?? 20,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 120_000,
      logger: options.logger,
      decode: options.decode,
    };
  }

  /** The one sender of `signer` in this process (created on first use with `options`). */
  static for(options: TransactionSenderOptions): TransactionSender {
    let sender = senders.get(options.signer);
    if (!sender) {
      sender = new TransactionSender(options);
      senders.set(options.signer, sender);
    }
    return sender;
  }

  /** The signer wrapped in its nonce manager (for contract calls that must share the nonces). */
  get signer(): NonceManager {
    return this.#nonceManager;
  }

  /** The relayer's address. */
  address(): Promise<string> {
    this.#address ??= this.#nonceManager.getAddress();
    return this.#address;
  }

  /**
   * Estimates, broadcasts and waits for `tx`. `action` names it in logs and reasons ("step 3 of run
   * 7"). Throws {@link RunRejectedError} for a revert, {@link TransientChainError} when the node kept
   * failing.
   */
  async send(options: {
    action: string;
    tx: TransactionRequest;
    signal?: AbortSignal;
    /**
     * Transactions with the same `gasKey` cost the same gas (e.g. steps of one program and size):
     * the first is estimated, the others reuse its estimate.
     */
    gasKey?: string;
  }): Promise<SentTransaction> {
    const { action, signal, gasKey } = options;
    const from = await this.address();
    const tx: TransactionRequest = { ...options.tx, from };

    const started = performance.now();
    let estimatedAt = started;
    const response = await this.#retry(action, signal, async () => {
      // Why a cache: estimating an fhevm step replays it about ten times (a binary search over the
      // gas limit), ten times the cost of sending it. The price of skipping the estimate is that a
      // step that would revert is mined as a failed transaction instead of refused beforehand;
      // steps only revert when another worker raced this one, which the step loop handles.
      const cached = gasKey === undefined ? undefined : this.#gasEstimates.get(gasKey);
      const estimate = cached ?? (await this.#provider.estimateGas(tx));
      if (gasKey !== undefined && cached === undefined) this.#gasEstimates.set(gasKey, estimate);
      estimatedAt = performance.now();
      const gasLimit = (estimate * BigInt(100 + this.#options.gasHeadroomPercent)) / 100n;
      return this.#broadcast({ ...tx, gasLimit });
    });
    const sentAt = performance.now();
    this.#options.logger?.debug(
      { action, txHash: response.hash, nonce: response.nonce, estimateMs: Math.round(estimatedAt - started), broadcastMs: Math.round(sentAt - estimatedAt) },
      "transaction sent",
    );

    // Phase 2 has no signal: once broadcast, the transaction is waited for, so that the job's
    // record and the chain agree even during a shutdown.
    const receipt = await this.#retry(action, undefined, async () => {
      const mined = await this.#provider.waitForTransaction(response.hash, 1, this.#options.receiptTimeoutMs);
      if (!mined) throw new TransientChainError(`${action}: transaction ${response.hash} was not mined in time`);
      return mined;
    });
    if (receipt.status !== 1) {
      if (gasKey !== undefined) this.#gasEstimates.delete(gasKey);
      throw await this.#explainFailedReceipt(action, tx, receipt);
    }
    return { hash: response.hash, receipt, gasLimit: response.gasLimit };
  }

  #broadcast(tx: TransactionRequest): Promise<TransactionResponse> {
    const broadcast = async () => {
      try {
        return await this.#nonceManager.sendTransaction(tx);
      } catch (error) {
        // The nonce manager counted this nonce as used; forget the count and ask the node again.
        this.#nonceManager.reset();
        throw error;
      }
    };
    const result = this.#broadcasts.then(broadcast, broadcast);
    this.#broadcasts = result.catch(() => undefined);
    return result;
  }

  async #retry<T>(action: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return retryWithBackoff({
      policy: this.#options.retry,
      signal,
      shouldRetry: (error) => error instanceof TransientChainError,
      fn: async () => {
        try {
          return await fn();
        } catch (error) {
          throw classifyChainError({ error, action, decode: this.#options.decode });
        }
      },
      onRetry: ({ error, attempt, delayMs }) =>
        this.#options.logger?.warn({ action, attempt, delayMs, err: error }, "transient chain error, retrying"),
    });
  }

  /**
   * A receipt with status 0: replay the call on the state it met to learn why. A revert is the
   * contract's answer; a replay that succeeds means the transaction ran out of gas (or the state
   * moved), which another attempt with a fresh estimate can get past.
   */
  async #explainFailedReceipt(action: string, tx: TransactionRequest, receipt: TransactionReceipt): Promise<unknown> {
    try {
      await this.#provider.call({ ...tx, blockTag: receipt.blockNumber - 1 });
    } catch (error) {
      const classified = classifyChainError({ error, action, decode: this.#options.decode });
      if (classified instanceof RunRejectedError) return classified;
    }
    return new TransientChainError(
      `${action}: transaction ${receipt.hash} failed in block ${receipt.blockNumber} (out of gas at ${receipt.gasUsed} gas?)`,
    );
  }
}
