import cookie from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { SignInService } from "../auth/sign-in-service";
import { createError } from "../errors";
import { SESSION_COOKIE } from "./docs";

/** The signed-in user of a request. */
export interface SessionUser {
  /** EIP-55 checksum address. */
  address: string;
  sessionId: string;
  expiresAt: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `requireUser` (always) or `identifyUser` (when a valid session came with the request). */
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /** Sign-in with Ethereum and sessions. */
    signIn: SignInService;
    /** Hook (use it as onRequest): the request must carry a valid session (cookie or bearer token), else 401. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Hook: identifies the user when a valid session came along; anonymous otherwise. */
    identifyUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/** The session token of a request: an `Authorization: Bearer` header first, else the session cookie. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return request.cookies[SESSION_COOKIE];
}

/**
 * Sessions for every route: parses cookies, resolves the session a request carries, and provides the
 * `requireUser` / `identifyUser` hooks. Run them onRequest, before the body is parsed, so that an
 * anonymous request to a private route gets 401 whatever its body.
 */
export default fp(
  async (app) => {
    await app.register(cookie, { hook: "onRequest" });
    const signIn = new SignInService({ store: app.store, config: app.config, chain: app.chain, now: () => app.now() });
    app.decorate("signIn", signIn);
    app.decorateRequest("user", null);

    async function resolve(request: FastifyRequest): Promise<SessionUser | null | "invalid"> {
      const token = tokenOf(request);
      if (token === undefined) return null;
      const session = await signIn.resolve(token);
      return session ? { address: session.address, sessionId: session.id, expiresAt: session.expiresAt } : "invalid";
    }

    app.decorate("requireUser", async (request: FastifyRequest) => {
      const user = await resolve(request);
      if (user === null) throw createError("ERR_AUTH_REQUIRED");
      if (user === "invalid") throw createError("ERR_AUTH_SESSION_EXPIRED");
      request.user = user;
    });

    app.decorate("identifyUser", async (request: FastifyRequest) => {
      const user = await resolve(request);
      request.user = user === "invalid" ? null : user;
    });
  },
  { name: "auth", fastify: "5.x", dependencies: ["config", "store", "chain"] },
);
