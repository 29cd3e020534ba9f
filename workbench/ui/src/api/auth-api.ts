/**
 * Sign-in with Ethereum against the service (workbench/server/auth/routes.ts): a single-use nonce,
 * the signed EIP-4361 message, the current session, sign-out. The session travels in an httpOnly
 * cookie; the UI never handles the token.
 */
import { request } from "./http";

/** The signed-in user as `GET /api/auth/me` reports it. */
export interface Session {
  /** EIP-55 checksum address. */
  address: string;
  /** ISO-8601. */
  expiresAt: string;
}

/** `POST /api/auth/nonce`. */
export function requestNonce(): Promise<{ nonce: string; expiresAt: string }> {
  return request("/auth/nonce", { method: "POST", body: {} });
}

/** `POST /api/auth/verify`: opens a session (cookie) for the message's address. */
export async function verifySignIn(options: { message: string; signature: string }): Promise<Session> {
  const { address, expiresAt } = await request<Session & { token: string }>("/auth/verify", { method: "POST", body: options });
  return { address, expiresAt };
}

/** `GET /api/auth/me`: the session, or undefined when signed out or expired. */
export async function currentSession(): Promise<Session | undefined> {
  try {
    return await request<Session>("/auth/me");
  } catch (error) {
    if ((error as { status?: number }).status === 401) return undefined;
    throw error;
  }
}

/** `POST /api/auth/sign-out`. */
export function signOut(): Promise<void> {
  return request("/auth/sign-out", { method: "POST", body: {} });
}
