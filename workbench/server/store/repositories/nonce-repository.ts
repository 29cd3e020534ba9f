import type { Db } from "../db";
import { affected } from "../db";

/** Sign-in nonces: issued with an expiry, consumed at most once. */
export class NonceRepository {
  constructor(private readonly db: Db) {}

  /** Stores a freshly issued nonce. */
  async create(input: { nonce: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db
      .insertInto("auth_nonces")
      .values({ nonce: input.nonce, created_at: input.createdAt.toISOString(), expires_at: input.expiresAt.toISOString() })
      .execute();
  }

  /**
   * Consumes `nonce` if it exists and has not expired at `at`. Exactly one of several concurrent
   * callers gets true: the DELETE is the check.
   */
  async consume(nonce: string, at: Date): Promise<boolean> {
    const result = await this.db
      .deleteFrom("auth_nonces")
      .where("nonce", "=", nonce)
      .where("expires_at", ">", at.toISOString())
      .executeTakeFirst();
    return affected(result) === 1;
  }

  /** Removes nonces that expired before `at`; returns how many. */
  async deleteExpired(at: Date): Promise<number> {
    return affected(await this.db.deleteFrom("auth_nonces").where("expires_at", "<=", at.toISOString()).executeTakeFirst());
  }
}
