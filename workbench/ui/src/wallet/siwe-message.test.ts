import { SiweMessage } from "siwe";
import { describe, expect, it } from "vitest";
import { signInMessage } from "./siwe-message";

describe("sign-in message", () => {
  it("is a message the service's SIWE parser reads back field for field", () => {
    const fields = {
      domain: "localhost:8787",
      address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      uri: "http://localhost:8787",
      chainId: 31337,
      nonce: "a1B2c3D4e5F6g7H8",
      issuedAt: "2030-01-01T00:00:00.000Z",
      expirationTime: "2030-01-08T00:00:00.000Z",
    };
    const parsed = new SiweMessage(signInMessage(fields));
    expect(parsed).toMatchObject({ ...fields, version: "1", statement: "Sign in to the IoT Data Market workbench." });
    expect(parsed.prepareMessage()).toBe(signInMessage(fields));
  });
});
