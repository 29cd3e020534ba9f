/**
 * docker-compose.yml, the Dockerfile and .dockerignore, checked without a Docker engine (none runs
 * on these machines): the Compose file parses, the chain's RPC is never published beyond the
 * host's loopback, the services start in order, the worker scales with a relayer key per replica,
 * and they take npm start's variables.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Wallet } from "ethers";
import { DEMO_RELAYER_COUNT, demoRelayerKeys } from "../../demo/accounts";
import type { Deployment } from "../../demo/deployment-file";
import { execEnvironment } from "../compose-commands";
import { LAUNCHER_VARIABLES } from "../config";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  deploy?: { replicas?: string };
  container_name?: string;
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { services } = compose;

describe("docker-compose.yml", () => {
  it("has Redis, the chain node, the seed step, the worker, the workbench and the demo devices", () => {
    expect(Object.keys(services).sort()).toEqual(["chain", "devices", "redis", "seed", "workbench", "worker"]);
    for (const name of ["chain", "seed", "worker", "workbench", "devices"]) expect(services[name]!.build, name).toBe(".");
  });

  it("never publishes the chain's RPC beyond the host's loopback, nor Redis at all", () => {
    const chain = services.chain!;
    expect(chain.command?.slice(0, 2)).toEqual(["./node_modules/.bin/hardhat", "node"]);
    expect(chain.ports?.length).toBeGreaterThan(0);
    for (const port of chain.ports!) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(services.redis!.ports).toBeUndefined();
    // The comment that says why stays next to it.
    expect(read("docker-compose.yml")).toMatch(/NEVER publish this port to other hosts: the fhevm mock answers `fhevm_getClearText`/);
    // Nothing else publishes the chain's container port under another name.
    for (const [name, service] of Object.entries(services)) {
      if (name !== "chain") for (const port of service.ports ?? []) expect(port).not.toMatch(/:8545$/);
    }
  });

  it("opens the chain's RPC to the workbench's origins only, among web pages", () => {
    expect(services.chain!.environment?.CHAIN_ALLOWED_ORIGINS).toBe("${PUBLIC_ORIGINS:-http://127.0.0.1:${PORT:-8787},http://localhost:${PORT:-8787}}");
    expect(services.workbench!.environment?.PUBLIC_ORIGINS).toBe(services.chain!.environment?.CHAIN_ALLOWED_ORIGINS);
  });

  it("publishes the workbench where HOST says, on the loopback by default", () => {
    expect(services.workbench!.ports).toEqual(["${HOST:-127.0.0.1}:${PORT:-8787}:${PORT:-8787}"]);
    expect(services.workbench!.environment).toMatchObject({ HOST: "0.0.0.0", PORT: "${PORT:-8787}", STATE_DIR: "/state" });
  });

  it("starts in order: chain and Redis healthy, then the seed, then the worker, the workbench and the devices", () => {
    expect(services.seed!.depends_on).toEqual({ chain: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    for (const name of ["worker", "workbench", "devices"]) expect(services[name]!.depends_on?.seed, name).toEqual({ condition: "service_completed_successfully" });
  });

  it("shares the state volume between the seed, the worker, the workbench and the devices", () => {
    for (const name of ["seed", "worker", "workbench", "devices"]) expect(services[name]!.volumes, name).toContain("state:/state");
    expect(services.chain!.volumes).toEqual([]);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["state", "redis"]));
  });

  it("runs what the image contains: the launcher's subcommands, and the worker and the service from source", () => {
    expect(services.seed!.command).toEqual(["node", "--import", "tsx", "workbench/launcher/main.ts", "prepare"]);
    expect(services.worker!.command?.slice(-4)).toEqual(["node", "--import", "tsx", "worker/src/main.ts"]);
    expect(services.worker!.command).toContain("--relayer");
    expect(services.workbench!.command?.slice(-4)).toEqual(["node", "--import", "tsx", "workbench/server/main.ts"]);
    expect(services.workbench!.command).not.toContain("--relayer");
    for (const entry of ["workbench/launcher/main.ts", "worker/src/main.ts", "workbench/server/main.ts"]) expect(existsSync(path.join(ROOT, entry)), entry).toBe(true);
  });

  it("scales the worker (--scale worker=N, or WORKERS), each replica taking a relayer key of its own from one shared list", () => {
    const worker = services.worker!;
    expect(worker.deploy).toEqual({ replicas: "${WORKERS:-1}" });
    // Replicas cannot share a fixed name or a host port.
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.environment).toMatchObject({ RELAYER_PRIVATE_KEY: "${RELAYER_PRIVATE_KEY:-}", RELAYER_PRIVATE_KEYS: "${RELAYER_PRIVATE_KEYS:-}" });
    // Locally `exec --relayer` hands every replica the demo relayers' keys; elsewhere the list passes through.
    const deployment = { marketAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3", deploymentBlock: 3, chainId: 31337 } as Deployment;
    const local = execEnvironment({ env: { RELAYER_PRIVATE_KEY: "", RELAYER_PRIVATE_KEYS: "" }, deployment, relayer: true });
    expect(local.RELAYER_PRIVATE_KEY).toBeUndefined();
    expect(local.RELAYER_PRIVATE_KEYS?.split(",")).toEqual(demoRelayerKeys());
    expect(new Set(demoRelayerKeys().map((key) => new Wallet(key).address)).size).toBe(DEMO_RELAYER_COUNT);
    expect(execEnvironment({ env: { RELAYER_PRIVATE_KEYS: "0xaa,0xbb" }, deployment: undefined, relayer: true }).RELAYER_PRIVATE_KEYS).toBe("0xaa,0xbb");
    // No key reaches the service.
    const service = execEnvironment({ env: { RELAYER_PRIVATE_KEY: "0xaa", RELAYER_PRIVATE_KEYS: "0xaa,0xbb" }, deployment, relayer: false });
    expect(service.RELAYER_PRIVATE_KEY ?? service.RELAYER_PRIVATE_KEYS).toBeUndefined();
  });

  it("is configured with npm start's variables and no others", () => {
    const used = new Set([...read("docker-compose.yml").matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    // The service's own variables that npm start sets for it and Compose passes through.
    const serviceOnly = ["PUBLIC_CHAIN_RPC_URL", "CHAIN_ID"];
    for (const variable of used) expect([...LAUNCHER_VARIABLES, ...serviceOnly], variable).toContain(variable);
    // Everything npm start reads is available, except what the image decides (the UI is built in
    // the image, the state directory is the volume).
    for (const variable of LAUNCHER_VARIABLES.filter((v) => !["UI_BUILD", "STATE_DIR"].includes(v))) expect([...used], variable).toContain(variable);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?/gm)].map((m) => ({ image: m[1], name: m[2] }));

  it("is multi-stage on node:20-bookworm-slim, installs with npm ci and builds the UI", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toContain("npm run build:ui");
    expect(dockerfile).toContain("hardhat compile");
  });

  it("copies every workspace's manifest before npm ci, so that it links the parts' packages", () => {
    const workspaces = JSON.parse(read("package.json")).workspaces as string[];
    const install = dockerfile.indexOf("RUN npm ci");
    for (const workspace of workspaces) {
      const copy = dockerfile.indexOf(`COPY ${workspace}/package.json ${workspace}/`);
      expect(copy, workspace).toBeGreaterThan(-1);
      expect(copy, workspace).toBeLessThan(install);
    }
  });

  it("runs the service from source, with no bundling step", () => {
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "workbench\/server\/main.ts"\]$/m);
    expect(dockerfile).not.toMatch(/esbuild|:build\b|dist\/(worker|workbench)/);
  });

  it("runs as a non-root user", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
    expect(runtime).toMatch(/^USER node$/m);
  });

  it("keeps the host's node_modules, builds, state and secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n").map((line) => line.trim());
    for (const entry of ["node_modules", ".state", ".git", "artifacts", "dist", ".env"]) expect(ignored, entry).toContain(entry);
  });
});
