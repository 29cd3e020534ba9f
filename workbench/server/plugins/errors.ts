import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, createError, toErrorBody } from "../errors";
import { API_CACHE_CONTROL } from "./security";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * Answers a request no route matched, when it can (the UI plugin serves the app's index.html for
     * page navigations); returns false to let the API's 404 error through.
     */
    serveUnmatched: ((request: FastifyRequest, reply: FastifyReply) => Promise<boolean>) | null;
    /**
     * Answers the errors Fastify's router raises before any hook runs (a broken %-encoding, a path
     * parameter over the length limit): the same shape, status mapping and headers as every other
     * error. Fastify's `frameworkErrors` option calls it (see app.ts).
     */
    answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void;
  }
}

/** One issue of a validation error, as sent in `error.details.issues`. */
export interface ValidationIssue {
  /** Dotted path of the offending value inside the request part (`cells.0.source`); empty for the part itself. */
  path: string;
  message: string;
}

/**
 * The one error handler: turns every error into `{ error: { code, message, details? } }` with the
 * registry's status. 4xx are the client's business and say what to fix; 5xx are logged with the
 * request's context and answered with a request id only, never with internals.
 */
export default fp(
  async (app) => {
    app.decorate("serveUnmatched", null);

    app.decorate("answerFrameworkError", (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const appError = toAppError(error, request, app.config.server.bodyLimit);
      request.log.info({ code: appError.code, statusCode: appError.statusCode }, appError.message);
      void reply
        .headers(app.hasDecorator("securityHeaders") ? app.securityHeaders : {})
        .header("cache-control", API_CACHE_CONTROL)
        .status(appError.statusCode)
        .send(toErrorBody(appError));
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error, request, app.config.server.bodyLimit);
      if (appError.statusCode >= 500) {
        request.log.error(
          {
            err: error,
            code: appError.code,
            route: request.routeOptions.url,
            method: request.method,
            user: request.user?.address,
          },
          "request failed",
        );
      } else {
        request.log.info({ code: appError.code, statusCode: appError.statusCode }, appError.message);
      }
      return reply.status(appError.statusCode).send(toErrorBody(appError));
    });

    app.setNotFoundHandler(
      { preHandler: app.hasDecorator("rateLimit") ? app.rateLimit() : undefined },
      async (request, reply) => {
        if (app.serveUnmatched && (await app.serveUnmatched(request, reply))) return reply;
        const path = request.url.split("?")[0] ?? request.url;
        throw createError("ERR_ROUTE_NOT_FOUND", { params: { method: request.method, path } });
      },
    );
  },
  { name: "errors", fastify: "5.x", dependencies: ["config"] },
);

/** The longest path parameter the router accepts (Fastify's `maxParamLength`; ids are at most 78 digits). */
export const MAX_PARAM_LENGTH = 100;

/** Maps Fastify's, zod's and our own errors onto the registry. */
export function toAppError(error: unknown, request: FastifyRequest, bodyLimit: number): AppError {
  if (error instanceof AppError) return error;

  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = (error as { validationContext?: string }).validationContext ?? "body";
    const unknownFields: string[] = [];
    const issues: ValidationIssue[] = error.validation.map((issue) => {
      const path = issue.instancePath.replace(/^\//, "").split("/").filter(Boolean).join(".");
      if (issue.keyword === "unrecognized_keys") {
        const keys = (issue.params as { keys?: string[] }).keys ?? [];
        unknownFields.push(...keys.map((key) => (path ? `${path}.${key}` : key)));
      }
      return { path, message: issue.message ?? "is not valid" };
    });
    if (error.validation.every((issue) => issue.keyword === "unrecognized_keys")) {
      return createError("ERR_REQUEST_UNKNOWN_FIELDS", {
        params: { fields: unknownFields.join(", ") },
        details: { in: part, fields: unknownFields },
      });
    }
    const [first] = issues;
    const where = first && first.path ? `${part}.${first.path}` : part;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return createError("ERR_REQUEST_VALIDATION", {
      params: { summary: `${where}: ${first?.message ?? "is not valid"}${more}` },
      details: { in: part, issues },
    });
  }

  if (isFastifyError(error)) {
    switch (error.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
        return createError("ERR_REQUEST_MALFORMED_JSON", { cause: error });
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return createError("ERR_REQUEST_EMPTY_JSON_BODY", { cause: error });
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return createError("ERR_REQUEST_BODY_TOO_LARGE", {
          params: { limit: request.routeOptions.bodyLimit ?? bodyLimit },
          cause: error,
        });
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return createError("ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE", { cause: error });
      case "FST_ERR_BAD_URL":
        return createError("ERR_REQUEST_BAD_URL", { cause: error });
      case "FST_ERR_MAX_PARAM_LENGTH":
        return createError("ERR_REQUEST_URL_TOO_LONG", { params: { max: MAX_PARAM_LENGTH }, cause: error });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's and its plugins' own 4xx messages describe the request, not the server.
      return createError("ERR_REQUEST_REJECTED", { params: { reason: error.message }, status, cause: error });
    }
  }

  return createError("ERR_SERVICE_INTERNAL", { params: { requestId: request.id }, cause: error });
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as FastifyError).code === "string";
}
