import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import fp from "fastify-plugin";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";

/** The cookie that carries the session in browsers (the same token is also accepted as a bearer token). */
export const SESSION_COOKIE = "wb_session";

/** The OpenAPI security requirement of routes that need a signed-in user. */
export const SIGNED_IN: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { cookieAuth: [] }];

/**
 * The OpenAPI document, generated from the routes' zod schemas, at /docs/json, and the interactive
 * docs (Swagger UI) at /docs. Register before the routes: it collects them as they are added.
 */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "IoT Data Market workbench API",
          description:
            "Notebooks of encrypted statistic recipes over IoT datasets sold on a Zama fhevm market. " +
            "Sign in with Ethereum (EIP-4361) first: POST /api/auth/nonce, sign the message, POST /api/auth/verify. " +
            "Every error response is `{ error: { code, message, details? } }`.",
          version: "0.1.0",
        },
        tags: [
          { name: "service", description: "Liveness and readiness" },
          { name: "auth", description: "Sign-in with Ethereum and sessions" },
          { name: "notebooks", description: "Private notebooks of markdown and recipe cells" },
          { name: "templates", description: "Public recipe templates: publish, search, fork" },
          { name: "datasets", description: "The dataset catalogue, indexed from the market's events" },
          { name: "recipes", description: "The recipe language's checker" },
          { name: "runs", description: "Encrypted recipe runs from signed requests, and their progress" },
          { name: "schedules", description: "Recurring encrypted reports from signed standing authorizations" },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: "http", scheme: "bearer", description: "The token POST /api/auth/verify returns" },
            cookieAuth: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, {
      routePrefix: "/docs",
      // No call-outs to validator.swagger.io: the page stays within the CSP's 'self'.
      uiConfig: { validatorUrl: null, deepLinking: true, persistAuthorization: false },
    });
  },
  { name: "docs", fastify: "5.x" },
);
