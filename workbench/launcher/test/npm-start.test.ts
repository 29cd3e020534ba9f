/**
 * `npm start` end to end, as a newcomer runs it: it becomes ready, the catalogue holds the demo
 * datasets, the chain's JSON-RPC answers on 127.0.0.1 and on no other interface (and, among web
 * pages, to the workbench's own origin only), Ctrl-C stops
 * everything with exit code 0 and frees the ports; a second start keeps the user's notebook on a
 * new chain, and `--fresh` wipes it; the demo devices publish over MQTT through the gateway, and
 * `npm run simulate -- --mqtt` does too. Three starts in all (about two minutes on two cores).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { connectMarket, readDatasetInfo } from "@iotdm/contracts-client";
import { DEMO_ROLES, devWallet } from "../../demo/accounts";
import { DEMO_DATASETS } from "../../demo/catalogue";
import { DEMO_BUYER_DEPOSIT, DEMO_RUN_GAS_PRICE } from "../../demo/seed";
import { readDeployment, type Deployment } from "../../demo/deployment-file";
import { portIsFree } from "../local-node";
import { DEFAULT_REDIS_URL, probe } from "../redis";
import { removeQueue, startLauncher, type LaunchSettings } from "./support/launcher-process";
import { signInOverHttp } from "../../server/test/support/sign-in";

const DEMO_NAMES = DEMO_DATASETS.map((d) => d.name);

/** Resolves whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/** This machine's addresses other than loopback (where a 0.0.0.0 listener would be reachable from other hosts). */
function externalAddresses(): string[] {
  return Object.entries(os.networkInterfaces()).flatMap(([name, entries]) =>
    (entries ?? [])
      .filter((entry) => !entry.internal)
      // A link-local IPv6 address needs its interface to be reachable at all.
      .map((entry) => (entry.family === "IPv6" && entry.address.startsWith("fe80:") ? `${entry.address}%${name}` : entry.address)),
  );
}

/** A listener on every interface, to prove that `accepts` does reach the external addresses. */
async function listenEverywhere(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "::", ipv6Only: false }, resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function chainId(rpcUrl: string): Promise<string> {
  const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
  return ((await response.json()) as { result: string }).result;
}

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("npm start", () => {
  let settings: LaunchSettings;
  const buyer = devWallet(4);
  let first: Deployment;
  let notebookId: string;

  beforeAll(async () => {
    settings = {
      stateDir: path.join(mkdtempSync(path.join(os.tmpdir(), "npm-start-")), "state"),
      port: await freePort(),
      chainPort: await freePort(),
      queuePrefix: `npm-start-test-${process.pid}`,
    };
  });

  afterAll(async () => {
    rmSync(path.dirname(settings.stateDir), { recursive: true, force: true });
    if (!(await probe(DEFAULT_REDIS_URL))) await removeQueue({ redisUrl: DEFAULT_REDIS_URL, prefix: settings.queuePrefix });
  });

  it("starts everything, serves the demo catalogue, keeps the chain on 127.0.0.1, and stops cleanly on Ctrl-C", async () => {
    const launcher = startLauncher(settings);
    const url = await launcher.ready();
    expect(url).toBe(`http://127.0.0.1:${settings.port}`);
    const output = launcher.output();
    expect(output).toContain("Dev account #N");
    expect(output).toMatch(/#4 +0x15d3…6A65 +demo buyer/);
    expect(output).toContain("fhevm MOCK");

    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);

    // The deployment record, and the seeded datasets on-chain.
    first = readDeployment(settings.stateDir)!;
    expect(first.datasets.map((d) => d.name)).toEqual(DEMO_NAMES);
    const rpcUrl = `http://127.0.0.1:${settings.chainPort}`;
    const provider = new JsonRpcProvider(rpcUrl, Network.from(31337), { staticNetwork: true });
    try {
      const market = connectMarket(first.marketAddress, provider);
      expect(await market.datasetCount()).toBe(BigInt(DEMO_NAMES.length));
      for (const dataset of first.datasets) {
        const info = await readDatasetInfo(market, BigInt(dataset.id));
        expect(info.name).toBe(dataset.name);
        expect(info.readingCount).toBeGreaterThan(0n);
        expect(info.approvedKinds).toBe(dataset.approvedKinds);
      }
      expect(first.datasets.find((d) => d.name === "office-humidity")!.approvedKinds & (1 << 7)).toBe(0);
      expect(await market.accessExpiry(1n, buyer.address)).toBeGreaterThan(0n);
      // Pay per run: the operator's published gas price, greenhouse's run price and the demo buyers' deposits.
      expect(await market.runGasPrice()).toBe(DEMO_RUN_GAS_PRICE);
      for (const dataset of first.datasets) {
        expect(await market.runPrice(BigInt(dataset.id))).toBe(DEMO_DATASETS.find((d) => d.name === dataset.name)!.runPrice ?? 0n);
      }
      for (const { index } of DEMO_ROLES.buyers) expect(await market.balanceOf(devWallet(index).address)).toBe(DEMO_BUYER_DEPOSIT);
    } finally {
      provider.destroy();
    }

    // The catalogue as the service serves it (the chain indexer fills it).
    const catalogue = await until("the demo datasets in GET /api/datasets", async () => {
      const response = await fetch(`${url}/api/datasets?limit=50`);
      const body = (await response.json()) as { items: { name: string; privacy: { mode: string } }[] };
      return DEMO_NAMES.every((name) => body.items.some((item) => item.name === name)) ? body.items : undefined;
    });
    expect(catalogue.map((item) => item.name)).toEqual(expect.arrayContaining(DEMO_NAMES));
    // Private datasets next to exact ones.
    expect(catalogue.filter((item) => item.privacy.mode === "private").map((item) => item.name)).toEqual(
      DEMO_DATASETS.filter((d) => d.privacy).map((d) => d.name),
    );

    // The demo devices speak MQTT: a mode b device's readings reach the chain as the gateway's appends.
    expect(output).toMatch(/MQTT {5}mqtt:\/\/127\.0\.0\.1:\d+/);
    const gateway = first.accounts.gateway!;
    expect(gateway.index).toBe(DEMO_ROLES.gateway.index);
    const greenhouse = first.datasets.find((d) => d.name === "greenhouse")!;
    expect(greenhouse.deviceMode).toBe("plain");
    const gatewayAppends = await until(
      "an append by the gateway to greenhouse",
      async () => {
        const provider = new JsonRpcProvider(rpcUrl, Network.from(31337), { staticNetwork: true });
        try {
          const market = connectMarket(first.marketAddress, provider);
          const logs = await market.queryFilter(market.filters.ReadingsAppended!(BigInt(greenhouse.id), gateway.address));
          return logs.length > 0 ? logs : undefined;
        } finally {
          provider.destroy();
        }
      },
      60_000,
    );
    expect(gatewayAppends.length).toBeGreaterThan(0);

    // `npm run simulate -- --mqtt` publishes like a real device, with the demo's spare login: its readings reach the chain.
    const simulate = spawn(process.execPath, ["--import", "tsx", "workbench/launcher/simulate.ts", "--dataset", "air-quality", "--mqtt", "--rate", "5", "--json"], {
      cwd: path.resolve(import.meta.dirname, "..", "..", ".."),
      env: { ...process.env, STATE_DIR: settings.stateDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const appended = await new Promise<{ type: string; latenciesMs: number[] }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("npm run simulate -- --mqtt: no readings on the chain within 60 s")), 60_000);
        createInterface({ input: simulate.stdout! }).on("line", (line) => {
          const event = JSON.parse(line) as { type: string; latenciesMs: number[] };
          if (event.type === "appended" && event.latenciesMs.length > 0) {
            clearTimeout(timer);
            resolve(event);
          }
        });
        simulate.once("exit", (code) => reject(new Error(`npm run simulate -- --mqtt exited with ${code}`)));
      });
      expect(appended.latenciesMs.length).toBeGreaterThan(0);
    } finally {
      if (simulate.exitCode === null && simulate.signalCode === null) {
        const exited = new Promise((resolve) => simulate.once("exit", resolve));
        simulate.kill("SIGINT");
        await exited;
      }
    }

    // The mock answers fhevm_getClearText: its RPC must answer on loopback and nowhere else.
    expect(await chainId(rpcUrl)).toBe("0x7a69");
    // …and, among web pages, to the workbench's own origin only (the UI encrypts and decrypts through it).
    const fromPage = (origin: string) =>
      fetch(rpcUrl, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    for (const origin of [url, `http://localhost:${settings.port}`]) {
      const answer = await fromPage(origin);
      expect(answer.status, origin).toBe(200);
      expect(answer.headers.get("access-control-allow-origin"), origin).toBe(origin);
    }
    const foreign = await fromPage("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const addresses = externalAddresses();
    const control = await listenEverywhere();
    try {
      for (const address of addresses) expect(await accepts(address, control.port), `control listener reachable on ${address}`).toBe(true);
    } finally {
      await control.close();
    }
    for (const address of addresses) {
      expect(await accepts(address, settings.chainPort), `chain RPC reachable on ${address}`).toBe(false);
      expect(await accepts(address, settings.port), `workbench reachable on ${address} with HOST=127.0.0.1`).toBe(false);
    }
    if (addresses.length === 0) console.warn("no non-loopback interface on this machine: the other-interface check had nothing to try");

    // A notebook of the demo buyer, for the restart test below.
    const token = await signInOverHttp(url, buyer);
    const created = await fetch(`${url}/api/notebooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Greenhouse, first week" }),
    });
    expect(created.status).toBe(201);
    notebookId = ((await created.json()) as { id: string }).id;

    const exit = await launcher.interrupt();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(launcher.output()).toContain("stopping the chain");
    expect(await portIsFree("127.0.0.1", settings.port)).toBe(true);
    expect(await portIsFree("127.0.0.1", settings.chainPort)).toBe(true);
  });

  it("a second start re-seeds a new chain and keeps the notebooks; --fresh wipes them", async () => {
    const second = startLauncher(settings);
    const url = await second.ready();
    const redeployed = readDeployment(settings.stateDir)!;
    expect(redeployed.genesisHash).not.toBe(first.genesisHash);
    expect(second.output()).toContain(`the previous one (genesis ${first.genesisHash.slice(0, 10)}…) is gone`);
    expect(redeployed.datasets.map((d) => d.name)).toEqual(DEMO_NAMES);

    let token = await signInOverHttp(url, buyer);
    const notebooks = await fetch(`${url}/api/notebooks`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await notebooks.json()) as { items: { id: string }[] }).items.map((n) => n.id)).toContain(notebookId);
    expect(await second.interrupt()).toEqual({ code: 0, signal: null });

    const fresh = startLauncher(settings, ["--fresh"]);
    const freshUrl = await fresh.ready();
    expect(fresh.output()).toContain("--fresh: wiped");
    token = await signInOverHttp(freshUrl, buyer);
    const after = await fetch(`${freshUrl}/api/notebooks`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await after.json()) as { items: unknown[] }).items).toEqual([]);
    expect(await fresh.interrupt()).toEqual({ code: 0, signal: null });
  });
});
