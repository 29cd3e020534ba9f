/**
 * Sign-in with Ethereum against the service (workbench/server/auth/routes.ts, schemas.ts): a
 * single-use nonce, the signed EIP-4361 message, the current session, sign-out. The session travels
 * in an httpOnly cookie; the UI never handles the token.
 */
import type { z } from "zod";
import type { NonceResponse, SessionResponse, VerifyBody, VerifyResponse } from "../../../server/auth/schemas";
import { request } from "./http";

/** The signed-in user as `GET /api/auth/me` reports it: the service's schema output (EIP-55 address, ISO-8601 expiry). */
export type Session = z.output<typeof SessionResponse>;

/** `POST /api/auth/nonce`. */
export function requestNonce(): Promise<z.output<typeof NonceResponse>> {
  return request("/auth/nonce", { method: "POST", body: {} });
}

/** `POST /api/auth/verify`: opens a session (cookie) for the message's address; the bearer token it also returns is dropped. */
export async function verifySignIn(options: z.input<typeof VerifyBody>): Promise<Session> {
  const { address, expiresAt } = await request<z.output<typeof VerifyResponse>>("/auth/verify", { method: "POST", body: options });
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
