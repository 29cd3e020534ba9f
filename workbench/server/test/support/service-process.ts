/**
 * Test support: the workbench service as its own process (`@iotdm/worker/testing`'s
 * spawnSourceProcess: workbench/server/main.ts from source, as npm start and Compose run it), so
 * that a test can run several instances side by side and kill one the way an operating system would.
 */
import path from "node:path";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { spawnSourceProcess, waitUntilAnswers, type SourceProcess } from "@iotdm/worker/testing";

/** A running service instance. */
export interface ServiceProcess extends SourceProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Resolves once /api/ready answers 200; rejects if the process exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
}

/** Starts a service instance on a free loopback port with `env` (the service's variables). */
export async function spawnService(options: { env: Record<string, string> }): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawnSourceProcess({
    entry: path.join("workbench", "server", "main.ts"),
    env: { NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), UI_DIR: "/nonexistent-ui", ...options.env },
    outputLimit: 50_000,
  });
  return {
    ...service,
    url,
    ready: (timeoutMs = 120_000) => waitUntilAnswers(service, { url: `${url}/api/ready`, what: "the service", timeoutMs }),
  };
}
