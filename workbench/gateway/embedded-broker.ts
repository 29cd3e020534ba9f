/**
 * The embedded MQTT broker (aedes) that `npm start` runs when no broker answers: on 127.0.0.1
 * only, every client logs in with the credentials of the device registry, a client id is its
 * username (so that nobody takes over another device's persistent session), and each user
 * publishes and subscribes only where `broker-acl.ts` allows. A refused publish closes the
 * client's connection (MQTT 3.1.1 has no way to refuse one message); nothing reaches the gateway.
 *
 * Its sessions and queued messages live in memory: a restart loses what it held. That is why
 * devices keep every reading until the gateway's status topic confirms it (see device-client.ts):
 * nothing is lost across a broker restart, with this broker or any other.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Aedes, type Client } from "aedes";
import { allows, rightsOf } from "./broker-acl";
import { verifyPassword, type DeviceRegistry } from "./device-registry";

/** A running embedded broker. */
export interface EmbeddedBroker {
  url: string;
  port: number;
  /** Refused connections and publishes/subscriptions so far (for tests and logs). */
  readonly refusals: { clientId: string; username: string | undefined; what: string }[];
  close(): Promise<void>;
}

/** Starts the broker on `host:port` (port 0: any free port). `registry` is read on every login. */
export async function startEmbeddedBroker(options: {
  registry: () => DeviceRegistry;
  port?: number;
  host?: string;
  onRefusal?: (refusal: { clientId: string; username: string | undefined; what: string }) => void;
}): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const usernames = new WeakMap<Client, string>();
  const refusals: EmbeddedBroker["refusals"] = [];
  const refuse = (client: Client | null, what: string) => {
    const refusal = { clientId: client?.id ?? "", username: client ? usernames.get(client) : undefined, what };
    refusals.push(refusal);
    options.onRefusal?.(refusal);
  };

  const broker = await Aedes.createBroker({
    // Keep-alive and drain limits so that a dead device cannot stall deliveries to the others.
    drainTimeout: 30_000,
    queueLimit: 1_000,
    authenticate(client, username, password, done) {
      const registry = options.registry();
      const hash = username === registry.gateway.username ? registry.gateway.passwordHash : registry.devices.find((d) => d.id === username)?.passwordHash;
      const ownId = client.id === username || client.id.startsWith(`${username}-`);
      if (!username || !password || !hash || !ownId || !verifyPassword(password, hash)) {
        refuse(client, `login as ${username ?? "(anonymous)"} with client id ${client.id}`);
        const error = Object.assign(new Error("bad username or password"), { returnCode: 4 as const });
        return done(error, false);
      }
      usernames.set(client, username);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const username = client ? usernames.get(client) : undefined;
      if (client && allows(username ? rightsOf(options.registry(), username) : undefined, "write", packet.topic)) return done(null);
      refuse(client, `publish to ${packet.topic}`);
      done(new Error(`not allowed to publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, done) {
      const username = usernames.get(client);
      if (allows(username ? rightsOf(options.registry(), username) : undefined, "read", subscription.topic)) return done(null, subscription);
      refuse(client, `subscribe to ${subscription.topic}`);
      done(new Error(`not allowed to subscribe to ${subscription.topic}`));
    },
  });

  const server: Server = createServer(broker.handle);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    refusals,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      // Open device connections would keep the server from closing.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
