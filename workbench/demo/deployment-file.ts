/**
 * `<STATE_DIR>/deployment.json`: where the market of the current chain is, which chain that is
 * (its genesis block hash: a restarted local chain has a new one), the demo accounts and datasets.
 * Its `chainId`, `marketAddress` and `deploymentBlock` are the fields the workbench service reads
 * from DEPLOYMENT_FILE (workbench/server/chain/market-deployment.ts); the rest is the demo's.
 * The launcher (or `workbench/demo/main.ts` under Docker Compose) writes it after deploying and
 * seeding; the simulator CLI and `with-deployment` read it. The worker and the service get the
 * same facts through their environment (MARKET_ADDRESS, MARKET_FROM_BLOCK, ...), never this file.
 *
 * No private key is stored: demo accounts are indices of the public dev mnemonic.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { SENSOR_KINDS } from "../simulator/signals";

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const Hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex hash");

/** A dev account by its index in the dev mnemonic. */
const DevAccount = z.object({ index: z.number().int().min(0), address: Address, label: z.string() });

const DeploymentSchema = z.object({
  version: z.literal(1),
  network: z.enum(["local", "sepolia"]),
  chainId: z.number().int().positive(),
  /** The RPC URL the deployment was made through (as seen by whoever wrote the file). */
  rpcUrl: z.string(),
  genesisHash: Hash,
  /** The IoTDataMarket contract (the service reads `chainId`, `marketAddress` and `deploymentBlock`). */
  marketAddress: Address,
  /** Block of the market's deployment: where log indexers start. */
  deploymentBlock: z.number().int().min(0),
  /** The market's linked libraries by name (RecipeEngine, PrivacyNoise, ...). */
  libraries: z.record(z.string(), Address).optional(),
  deployedAt: z.string(),
  accounts: z.object({
    admin: DevAccount,
    relayer: DevAccount,
    sellers: z.array(DevAccount),
    buyers: z.array(DevAccount),
    /** The demo's MQTT gateway, a registered device of every dataset (absent in records made before it). */
    gateway: DevAccount.optional(),
  }),
  datasets: z.array(
    z.object({
      id: z.string().regex(/^\d+$/),
      name: z.string(),
      kind: z.enum(SENSOR_KINDS as [string, ...string[]]),
      seller: Address,
      device: DevAccount,
      /** How the dataset's MQTT demo device talks to the gateway (absent in records made before it). */
      deviceMode: z.enum(["sealed", "plain"]).optional(),
      approvedKinds: z.number().int().min(0),
      utcOffsetHours: z.number(),
    }),
  ),
  seed: z.object({
    historyHours: z.number().min(0),
    readings: z.number().int().min(0),
    durationMs: z.number().int().min(0),
    seededAt: z.string(),
  }),
});

/** The deployment record. */
export type Deployment = z.infer<typeof DeploymentSchema>;

/** The file's path under `stateDir`. */
export function deploymentPath(stateDir: string): string {
  return path.join(stateDir, "deployment.json");
}

/**
 * The deployment recorded under `stateDir`; undefined when there is none. A file that is not a
 * valid record (hand-edited, or of another version) throws, naming the file.
 */
export function readDeployment(stateDir: string): Deployment | undefined {
  const file = deploymentPath(stateDir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const parsed = DeploymentSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${file} is not a deployment record (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}); delete it or start with --fresh`);
  }
  return parsed.data;
}

/** Writes the record atomically (a reader never sees half a file). */
export function writeDeployment(stateDir: string, deployment: Deployment): void {
  const valid = DeploymentSchema.parse(deployment);
  mkdirSync(stateDir, { recursive: true });
  const file = deploymentPath(stateDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temporary, file);
}
