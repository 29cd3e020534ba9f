import { createHash, randomBytes } from "node:crypto";

/** A bearer token: 32 random bytes, base64url (43 characters). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new session token. Only its hash is stored. */
export function generateSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether `text` has the shape of a session token (checked before hashing anything a client sent). */
export function isSessionToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/**
 * The stored form of a token. A plain SHA-256 suffices: the token has 256 bits of entropy, so there is
 * nothing to brute-force, and a stolen table of hashes cannot be replayed as bearer tokens.
 */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
