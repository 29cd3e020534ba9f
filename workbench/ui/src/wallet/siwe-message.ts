/**
 * The EIP-4361 (Sign-In with Ethereum) message the wallet signs. Written out by hand (the format is a
 * fixed template) so that the browser bundle does not carry a parser; the service parses and checks
 * it with the `siwe` library (a unit test keeps the two in agreement).
 */

/** The fields of a sign-in message. */
export interface SignInFields {
  /** The host (and port) the UI is served from, e.g. `localhost:8787`. */
  domain: string;
  /** EIP-55 checksum address. */
  address: string;
  /** The page origin, e.g. `http://localhost:8787`. */
  uri: string;
  chainId: number;
  /** The service's single-use nonce. */
  nonce: string;
  /** ISO-8601. */
  issuedAt: string;
  /** ISO-8601; the service caps the session at it. */
  expirationTime?: string;
  statement?: string;
}

/** What the workbench asks a wallet to sign in with. */
export const SIGN_IN_STATEMENT = "Sign in to the IoT Data Market workbench.";

/** The message text, exactly as EIP-4361 lays it out. */
export function signInMessage(fields: SignInFields): string {
  const lines = [
    `${fields.domain} wants you to sign in with your Ethereum account:`,
    fields.address,
    "",
    fields.statement ?? SIGN_IN_STATEMENT,
    "",
    `URI: ${fields.uri}`,
    "Version: 1",
    `Chain ID: ${fields.chainId}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt}`,
  ];
  if (fields.expirationTime) lines.push(`Expiration Time: ${fields.expirationTime}`);
  return lines.join("\n");
}
