import { z } from "zod";
import { AddressOutput, TimestampOutput as Timestamp } from "../shared/schemas";

/** POST /api/auth/nonce response. */
export const NonceResponse = z.object({
  nonce: z.string().meta({ description: "Put it in the EIP-4361 message's Nonce field; single use" }),
  expiresAt: Timestamp,
});

/** POST /api/auth/verify body. */
export const VerifyBody = z.strictObject({
  message: z
    .string()
    .min(1)
    .max(4096)
    .meta({ description: "The EIP-4361 message exactly as signed (domain and URI of this workbench, its chain id, a fresh nonce)" }),
  signature: z
    .string()
    .regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature (0x + 130 hex digits)")
    .meta({ description: "The EIP-191 personal_sign signature of the message" }),
});

/** A session as the API shows it. */
export const SessionResponse = z.object({
  address: AddressOutput,
  expiresAt: Timestamp,
});

/** POST /api/auth/verify response: the session and, for non-browser clients, its bearer token. */
export const VerifyResponse = SessionResponse.extend({
  token: z.string().meta({ description: "Bearer token for the Authorization header (browsers use the httpOnly cookie instead)" }),
  tokenType: z.literal("Bearer"),
});
