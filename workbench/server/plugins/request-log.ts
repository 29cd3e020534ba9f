import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * How loud a finished request is in the log: reads that succeeded (GET, HEAD below 400) at `debug`, every
 * other request at `info`. The service's hot routes are reads (catalogue, notebooks, runs): logging each at
 * info cost about half of their throughput (bench:api), while what an operator looks for — writes, refusals,
 * failures — stays at info, and the errors plugin logs each error with its code (5xx with its stack).
 * LOG_LEVEL=debug shows every request again.
 */
export function requestLogLevel(method: string, statusCode: number): "debug" | "info" {
  return (method === "GET" || method === "HEAD") && statusCode < 400 ? "debug" : "info";
}

/**
 * Fastify's request log lines, one per request when it finishes (method, URL, status, time) at
 * {@link requestLogLevel}, instead of an "incoming request" and a "request completed" line at info each.
 * Fastify's other lines (stream errors, the default error handler's) are left as they are.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
      return;
    }
    // A disabled level is pino's no-op: the request and reply are never serialized.
    reply.log[requestLogLevel(request.method, reply.statusCode)]({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}
