import { randomUUID } from "node:crypto";
import type { App } from "../../app";

/** One operation of the API as the OpenAPI document describes it. */
export interface Operation {
  /** `METHOD /path/{param}` as documented. */
  key: string;
  method: string;
  url: string;
  signedIn: boolean;
}

/** Every API operation of the OpenAPI document, with its path parameters filled with fresh UUIDs. */
export async function apiOperations(app: App): Promise<Operation[]> {
  const document = (await app.inject({ method: "GET", url: "/docs/json" })).json() as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith("/api/"))
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        url: path.replace(/\{[^}]+\}/g, () => randomUUID()),
        signedIn: (operation.security ?? []).length > 0,
      })),
    );
}
