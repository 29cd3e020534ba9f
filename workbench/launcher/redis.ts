/**
 * Redis for `npm start`: REDIS_URL when set; otherwise 127.0.0.1:6379 when something answers
 * there; otherwise a private `redis-server` for this run (its own port and directory under
 * STATE_DIR, no persistence, stopped with the launcher) when one is installed; otherwise an error
 * that says exactly how to get Redis.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { ManagedProcess } from "./child-process";
import type { ConsoleLog } from "./console-log";
import { LauncherError } from "./launcher-error";
import { redactUrl } from "./redact-url";

/** Where Redis is and who runs it. */
export interface RedisHandle {
  url: string;
  source: "REDIS_URL" | "default" | "private";
  /** Stops a private server; nothing otherwise. */
  stop(): Promise<void>;
}

/** The Redis BullMQ needs at least (it uses commands added in 6.2). */
const MIN_VERSION = [6, 2];
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** How to get Redis, for the error when there is none. */
export const HOW_TO_GET_REDIS = [
  "npm start needs Redis (>= 6.2) for its job queues. Nothing answers on 127.0.0.1:6379 and redis-server is not installed. Any one of these works:",
  "  Debian/Ubuntu:  sudo apt-get install -y redis-server      (npm start then starts a private one for each run)",
  "  macOS:          brew install redis                        (the same)",
  "  Docker:         docker run -d --name iotdm-redis -p 127.0.0.1:6379:6379 redis:7",
  "  Your own:       REDIS_URL=redis://host:6379 npm start",
].join("\n");

/** Finds or starts Redis; see the module comment. `defaultUrl` and `searchPath` are for tests. */
export async function ensureRedis(options: {
  redisUrl: string | undefined;
  stateDir: string;
  log: ConsoleLog;
  cwd: string;
  defaultUrl?: string;
  searchPath?: string;
}): Promise<RedisHandle> {
  const { log } = options;
  const defaultUrl = options.defaultUrl ?? DEFAULT_REDIS_URL;
  if (options.redisUrl) {
    const problem = await probe(options.redisUrl);
    if (problem) throw new LauncherError(`Redis at ${redactUrl(options.redisUrl)} (REDIS_URL) does not work: ${problem}`);
    log.info("redis", `using ${redactUrl(options.redisUrl)} (REDIS_URL)`);
    return { url: options.redisUrl, source: "REDIS_URL", stop: async () => undefined };
  }

  const problem = await probe(defaultUrl);
  if (!problem) {
    log.info("redis", `using ${defaultUrl}`);
    return { url: defaultUrl, source: "default", stop: async () => undefined };
  }
  if (!problem.startsWith("unreachable")) throw new LauncherError(`Redis at ${defaultUrl} answers but cannot be used: ${problem}`);

  const binary = findExecutable("redis-server", options.searchPath);
  if (!binary) throw new LauncherError(HOW_TO_GET_REDIS);
  return startPrivateRedis({ ...options, binary, defaultUrl });
}

async function startPrivateRedis(options: { binary: string; stateDir: string; log: ConsoleLog; cwd: string; defaultUrl: string }): Promise<RedisHandle> {
  const port = await freePort();
  const dir = path.join(options.stateDir, "redis");
  mkdirSync(dir, { recursive: true });
  const url = `redis://127.0.0.1:${port}`;
  // In memory only: queues of a local chain are worthless once that chain is gone.
  const server = new ManagedProcess({
    name: "redis",
    command: options.binary,
    args: ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    env: process.env,
    cwd: options.cwd,
    log: options.log,
  });
  const deadline = Date.now() + 10_000;
  while (await probe(url)) {
    if (server.hasExited || Date.now() > deadline) {
      await server.stop(1_000);
      throw new LauncherError(`the private redis-server (${options.binary}) did not start on 127.0.0.1:${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  options.log.info("redis", `nothing answers on ${options.defaultUrl}: started a private redis-server for this run on ${url}`);
  return {
    url,
    source: "private",
    stop: async () => {
      await server.stop(5_000);
    },
  };
}

/** Undefined when Redis at `url` answers PING and is recent enough; otherwise what is wrong. */
export async function probe(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    return `unreachable (${(err as Error).message})`;
  }
  try {
    await client.ping();
    const info = await client.info("server");
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version) {
      const [major, minor] = [Number(version[1]), Number(version[2])];
      if (major < MIN_VERSION[0]! || (major === MIN_VERSION[0] && minor < MIN_VERSION[1]!)) {
        return `Redis ${major}.${minor} is too old; BullMQ needs ${MIN_VERSION.join(".")} or later`;
      }
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.disconnect();
  }
}

/** The first executable `name` on PATH, if any. */
export function findExecutable(name: string, searchPath: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
