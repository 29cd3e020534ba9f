import type { Db } from "../db";
import { affected } from "../db";
import type { SessionRecord } from "../records";

/** Sign-in sessions, looked up by the SHA-256 of their bearer token. */
export class SessionRepository {
  constructor(private readonly db: Db) {}

  /** Stores a new session. */
  async create(input: { id: string; tokenHash: string; address: string; createdAt: Date; expiresAt: Date }): Promise<SessionRecord> {
    const row = {
      id: input.id,
      token_hash: input.tokenHash,
      address: input.address,
      created_at: input.createdAt.toISOString(),
      expires_at: input.expiresAt.toISOString(),
    };
    await this.db.insertInto("sessions").values(row).execute();
    return { id: row.id, address: row.address, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** The unexpired session whose token hashes to `tokenHash`. */
  async findActive(tokenHash: string, at: Date): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .select(["id", "address", "created_at", "expires_at"])
      .where("token_hash", "=", tokenHash)
      .where("expires_at", ">", at.toISOString())
      .executeTakeFirst();
    return row && { id: row.id, address: row.address, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** Ends a session; false when it did not exist. */
  async delete(id: string): Promise<boolean> {
    return affected(await this.db.deleteFrom("sessions").where("id", "=", id).executeTakeFirst()) > 0;
  }

  /** Removes sessions that expired before `at`; returns how many. */
  async deleteExpired(at: Date): Promise<number> {
    return affected(await this.db.deleteFrom("sessions").where("expires_at", "<=", at.toISOString()).executeTakeFirst());
  }
}
