/**
 * Test and benchmark support: signing in with EIP-4361 (SIWE) as a wallet does — the message it is
 * asked to sign, and the whole round trip (nonce, signed message, verify) against a running service.
 * The service's tests (in-process), the launcher's tests (`npm start`) and the benchmarks all sign
 * in through these.
 */
import type { Wallet } from "ethers";
import { SiweMessage } from "siwe";

/** The origin test sign-in messages name by default (one of the default PUBLIC_ORIGINS). */
export const TEST_ORIGIN = "http://localhost:8787";

/** The fields of a sign-in message; defaults make a valid one for the test app. */
export interface MessageFields {
  address: string;
  nonce: string;
  domain?: string;
  uri?: string;
  chainId?: number;
  issuedAt?: string;
  expirationTime?: string;
  notBefore?: string;
}

/** An EIP-4361 message as a wallet would be asked to sign it. */
export function siweMessage(fields: MessageFields): string {
  return new SiweMessage({
    domain: fields.domain ?? new URL(TEST_ORIGIN).host,
    address: fields.address,
    statement: "Sign in to the IoT Data Market workbench.",
    uri: fields.uri ?? TEST_ORIGIN,
    version: "1",
    chainId: fields.chainId ?? 31337,
    nonce: fields.nonce,
    issuedAt: fields.issuedAt ?? new Date().toISOString(),
    ...(fields.expirationTime && { expirationTime: fields.expirationTime }),
    ...(fields.notBefore && { notBefore: fields.notBefore }),
  }).prepareMessage();
}

/**
 * Signs `wallet` in to the service at `url` (`http://host:port`, which the message names as its
 * origin) and returns the bearer token; throws with the service's answer when a step is refused.
 */
export async function signInOverHttp(url: string, wallet: Pick<Wallet, "address" | "signMessage">, options: { chainId?: number } = {}): Promise<string> {
  const post = async (route: string, body: unknown) => {
    const response = await fetch(`${url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${route}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, string>;
  };
  const { nonce } = await post("/api/auth/nonce", {});
  const origin = new URL(url);
  const message = siweMessage({ address: wallet.address, nonce: nonce!, domain: origin.host, uri: origin.origin, ...(options.chainId !== undefined && { chainId: options.chainId }) });
  const { token } = await post("/api/auth/verify", { message, signature: await wallet.signMessage(message) });
  return token!;
}
