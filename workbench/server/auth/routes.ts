import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SESSION_COOKIE, SIGNED_IN } from "../plugins/docs";
import { COMMON_ERRORS, EmptyBody, errorResponses } from "../shared/schemas";
import { NonceResponse, SessionResponse, VerifyBody, VerifyResponse } from "./schemas";

/** Sign-in with Ethereum: nonce, verify, me, sign-out. Mounted at /api/auth. */
const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app;
  const strictLimit = { rateLimit: { max: config.rateLimit.authMax, timeWindow: config.rateLimit.authWindowMs } };

  const cookieSecure = (request: FastifyRequest) =>
    config.auth.cookieSecure === "always" || (config.auth.cookieSecure === "auto" && request.protocol === "https");

  app.post(
    "/nonce",
    {
      config: strictLimit,
      schema: {
        tags: ["auth"],
        summary: "Issue a sign-in nonce",
        description: "A single-use nonce for the EIP-4361 message, valid for NONCE_TTL_SECONDS.",
        body: EmptyBody,
        response: { 200: NonceResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async () => app.signIn.issueNonce(),
  );

  app.post(
    "/verify",
    {
      config: strictLimit,
      schema: {
        tags: ["auth"],
        summary: "Sign in with a signed EIP-4361 message",
        description:
          "Checks the message's domain, URI, chain id, nonce and validity window and the signature, then opens a " +
          "session: an httpOnly SameSite=Lax cookie for browsers and a bearer token for other clients.",
        body: VerifyBody,
        response: { 200: VerifyResponse, ...errorResponses(...COMMON_ERRORS, 401) },
      },
    },
    async (request, reply) => {
      const { session, token } = await app.signIn.verify(request.body);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "lax",
        secure: cookieSecure(request),
        path: "/",
        expires: new Date(session.expiresAt),
      });
      return { address: session.address, expiresAt: session.expiresAt, token, tokenType: "Bearer" as const };
    },
  );

  app.get(
    "/me",
    {
      onRequest: app.requireUser,
      schema: {
        tags: ["auth"],
        summary: "The signed-in user",
        security: SIGNED_IN,
        response: { 200: SessionResponse, ...errorResponses(...COMMON_ERRORS, 401) },
      },
    },
    async (request) => ({ address: request.user!.address, expiresAt: request.user!.expiresAt }),
  );

  app.post(
    "/sign-out",
    {
      onRequest: app.requireUser,
      schema: {
        tags: ["auth"],
        summary: "End the session",
        security: SIGNED_IN,
        body: EmptyBody,
        response: { 204: z.undefined(), ...errorResponses(...COMMON_ERRORS, 401) },
      },
    },
    async (request, reply: FastifyReply) => {
      await app.signIn.signOut(request.user!.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax", secure: cookieSecure(request) });
      return reply.status(204).send();
    },
  );
};

export default authRoutes;
