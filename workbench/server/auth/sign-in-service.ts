import { randomUUID } from "node:crypto";
import { hashMessage } from "ethers";
import { generateNonce, SiweMessage } from "siwe";
import { checkDigestSignature } from "@iotdm/contracts-client";
import { chainCall, type MarketChain } from "../chain/market-chain";
import type { Config } from "../config";
import { createError } from "../errors";
import type { SessionRecord } from "../store/records";
import type { Store } from "../store/store";
import { generateSessionToken, hashSessionToken, isSessionToken } from "./session-token";

/** A session together with the bearer token that identifies it (shown to the client once). */
export interface IssuedSession {
  session: SessionRecord;
  token: string;
}

/** Options of the sign-in service. */
export interface SignInServiceOptions {
  store: Store;
  config: Pick<Config, "publicOrigins" | "chain" | "auth">;
  /** Asked whether a contract wallet (ERC-1271) accepts a signature that is not its address's ECDSA one. */
  chain: Pick<MarketChain, "provider">;
  now: () => Date;
}

/**
 * Sign-in with Ethereum (EIP-4361). The `siwe` package parses the message (its ABNF grammar, EIP-55
 * address, field formats); this service checks every field against this workbench (domain, URI,
 * chain, nonce, validity window) so that each mismatch gets its own error, and checks the signature
 * with the contracts client's one rule, the market's: an EOA's ECDSA signature, or one a contract
 * wallet accepts under ERC-1271 (as EIP-4361 asks), so that a contract wallet can sign in and run
 * what it signs. (siwe's own `verify()` checks neither the URI nor the chain id, and prints a stack
 * trace to the console for a malformed signature.)
 */
export class SignInService {
  private readonly origins: URL[];

  constructor(private readonly options: SignInServiceOptions) {
    this.origins = options.config.publicOrigins.map((origin) => new URL(origin));
  }

  /** Issues a single-use nonce for a sign-in message; it expires after NONCE_TTL_SECONDS. */
  async issueNonce(): Promise<{ nonce: string; expiresAt: string }> {
    const now = this.options.now();
    const expiresAt = new Date(now.getTime() + this.options.config.auth.nonceTtlSeconds * 1000);
    const nonce = generateNonce();
    await this.options.store.nonces.deleteExpired(now);
    await this.options.store.nonces.create({ nonce, createdAt: now, expiresAt });
    return { nonce, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Verifies a signed sign-in message and opens a session for its address. The nonce is consumed and
   * the session stored in one transaction: a rejected attempt writes nothing.
   */
  async verify(input: { message: string; signature: string }): Promise<IssuedSession> {
    const now = this.options.now();
    const message = parseMessage(input.message);

    const origin = this.origins.find((o) => o.host === message.domain);
    if (!origin) throw createError("ERR_AUTH_DOMAIN_MISMATCH", { params: { domain: message.domain } });
    if (message.scheme !== undefined && `${message.scheme}:` !== origin.protocol) {
      throw createError("ERR_AUTH_DOMAIN_MISMATCH", { params: { domain: `${message.scheme}://${message.domain}` } });
    }
    if (!this.origins.some((o) => o.origin === originOf(message.uri))) {
      throw createError("ERR_AUTH_URI_MISMATCH", { params: { uri: message.uri } });
    }
    if (message.chainId !== this.options.config.chain.chainId) {
      throw createError("ERR_AUTH_CHAIN_MISMATCH", {
        params: { got: message.chainId, expected: this.options.config.chain.chainId },
      });
    }
    if (message.expirationTime !== undefined && now.getTime() >= Date.parse(message.expirationTime)) {
      throw createError("ERR_AUTH_MESSAGE_EXPIRED");
    }
    if (message.notBefore !== undefined && now.getTime() < Date.parse(message.notBefore)) {
      throw createError("ERR_AUTH_MESSAGE_NOT_YET_VALID");
    }
    const signed = await chainCall(() =>
      checkDigestSignature({
        provider: this.options.chain.provider,
        signer: message.address,
        digest: hashMessage(message.prepareMessage()),
        signature: input.signature,
        what: "sign-in message",
      }),
    );
    if (!signed.ok) throw createError("ERR_AUTH_SIGNATURE_INVALID");

    const ttlEnd = now.getTime() + this.options.config.auth.sessionTtlSeconds * 1000;
    const expiresAt = new Date(
      message.expirationTime === undefined ? ttlEnd : Math.min(ttlEnd, Date.parse(message.expirationTime)),
    );
    const token = generateSessionToken();
    const session = await this.options.store.transaction(async (tx) => {
      if (!(await tx.nonces.consume(message.nonce, now))) throw createError("ERR_AUTH_NONCE_INVALID");
      await tx.sessions.deleteExpired(now);
      return tx.sessions.create({
        id: randomUUID(),
        tokenHash: hashSessionToken(token),
        address: message.address,
        createdAt: now,
        expiresAt,
      });
    });
    return { session, token };
  }

  /** The active session a token identifies, if any. */
  async resolve(token: string): Promise<SessionRecord | undefined> {
    if (!isSessionToken(token)) return undefined;
    return this.options.store.sessions.findActive(hashSessionToken(token), this.options.now());
  }

  /** Ends a session. */
  async signOut(sessionId: string): Promise<void> {
    await this.options.store.sessions.delete(sessionId);
  }
}

function parseMessage(text: string): SiweMessage {
  try {
    return new SiweMessage(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]! : "";
    // The grammar's own failure is a JSON dump of its parser state; say something a person can use.
    const readable = reason && !reason.includes("{") ? reason : "it does not follow the EIP-4361 format";
    throw createError("ERR_AUTH_MESSAGE_INVALID", { params: { reason: readable }, cause: error });
  }
}

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
