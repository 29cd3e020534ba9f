import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";

/**
 * Serves the built UI (UI_DIR, produced by `vite build` in workbench/ui) from `/`, and its index.html
 * for page navigations no route matched (client-side routing). Nothing is served when the UI has not
 * been built; the API works the same.
 */
export default fp(
  async (app) => {
    const root = path.resolve(app.config.uiDir);
    if (!fs.existsSync(path.join(root, "index.html"))) {
      app.log.debug({ root }, "no built UI; serving the API only");
      return;
    }
    await app.register(fastifyStatic, { root, prefix: "/", wildcard: false, index: ["index.html"] });
    app.serveUnmatched = async (request, reply) => {
      if (!isPageNavigation(request)) return false;
      await reply.type("text/html").sendFile("index.html");
      return true;
    };
  },
  { name: "ui", fastify: "5.x", dependencies: ["config", "errors"] },
);

function isPageNavigation(request: FastifyRequest): boolean {
  const pathname = request.url.split("?")[0] ?? "";
  return (
    (request.method === "GET" || request.method === "HEAD") &&
    pathname !== "/api" &&
    !pathname.startsWith("/api/") &&
    !pathname.startsWith("/docs") &&
    (request.headers.accept ?? "").includes("text/html")
  );
}
