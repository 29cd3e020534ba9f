import Fastify from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Dataset, DatasetPage } from "../datasets/schemas";
import { responseSerializerCompiler } from "./response-serializer";
import { ErrorResponse } from "./schemas";

function appWith() {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  return app;
}

describe("responseSerializerCompiler", () => {
  let app: ReturnType<typeof appWith> | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("writes the declared fields only, at every depth", async () => {
    app = appWith();
    const Notebook = z.object({
      id: z.string(),
      cells: z.array(z.object({ id: z.string(), source: z.string() })),
      run: z.object({ handle: z.string() }).nullable(),
    });
    app.get("/", { schema: { response: { 200: Notebook } } }, async () => {
      const record = {
        id: "n1",
        owner: "0xOwner",
        cells: [{ id: "c1", source: "sum(x)", secret: "not for the wire" }],
        run: { handle: "0x01", buyerKey: "private" },
      };
      return record;
    });

    const response = await app.inject({ method: "GET", url: "/" });

    expect(response.json()).toEqual({ id: "n1", cells: [{ id: "c1", source: "sum(x)" }], run: { handle: "0x01" } });
  });

  it("picks a union's branch for a record with more fields than the branch declares", async () => {
    app = appWith();
    const Repeat = z.union([z.object({ every: z.number() }), z.object({ pattern: z.string(), tz: z.string() })]);
    app.get("/", { schema: { response: { 200: z.object({ repeat: Repeat.nullable() }) } } }, async () => ({
      repeat: { pattern: "0 6 * * *", tz: "UTC", key: "scheduler-internal" },
    }));

    const response = await app.inject({ method: "GET", url: "/" });

    expect(response.json()).toEqual({ repeat: { pattern: "0 6 * * *", tz: "UTC" } });
  });

  it("writes a catalogue page exactly as zod encodes it", async () => {
    app = appWith();
    const dataset: z.output<typeof Dataset> = {
      id: "7",
      seller: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      name: "Greenhouse \"north\" — 7",
      field: "temperature",
      unit: "°C",
      scale: 2,
      offset: "-5000",
      priceWei: "1000000000000000",
      periodSeconds: 2_592_000,
      k: 12,
      readingCount: 0,
      firstTimestamp: null,
      lastTimestamp: null,
      approvedMask: 3,
      approvedKinds: ["SUM", "MEAN"] as z.output<typeof Dataset>["approvedKinds"],
      paused: false,
      privacy: { mode: "exact", protects: "Exact results: a determined buyer who paid can learn the values of each 12-reading bucket, not their order." },
      rollups: 5,
      rollupNames: ["SUM", "MIN"],
      rollupBlockSize: 12,
      accessExpiresAt: 1_800_000_000,
      runEarnings: { settledRuns: 2, sellerWei: "600000000000000" },
      createdBlock: 4,
      updatedBlock: 9,
    };
    const page = { items: [dataset, { ...dataset, id: "8", accessExpiresAt: null }], total: 2, limit: 20, offset: 0 };
    app.get("/", { schema: { response: { 200: DatasetPage } } }, async () => page);

    const response = await app.inject({ method: "GET", url: "/" });

    expect(response.body).toBe(JSON.stringify(z.encode(DatasetPage, page)));
  });

  it("writes an error's details whatever their shape", async () => {
    app = appWith();
    const body = { error: { code: "ERR_REQUEST_VALIDATION" as const, message: "Bad.", details: [{ path: ["a", 0], problem: "x" }] } };
    app.get("/", { schema: { response: { 400: ErrorResponse } } }, async (_request, reply) => reply.status(400).send(body as never));

    const response = await app.inject({ method: "GET", url: "/" });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(body);
  });

  it("answers 204 without a body", async () => {
    app = appWith();
    app.delete("/", { schema: { response: { 204: z.undefined() } } }, async (_request, reply) => reply.status(204).send());

    const response = await app.inject({ method: "DELETE", url: "/" });

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe("");
  });

  it("refuses a response schema that transforms when the route is registered", async () => {
    app = appWith();
    app.get("/", { schema: { response: { 200: z.string().transform((text) => text.length) } } }, async () => 1);

    await expect(app.ready()).rejects.toThrow(/serialization schema for GET: \//);
  });
});
