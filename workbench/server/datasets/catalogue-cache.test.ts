import { describe, expect, it } from "vitest";
import { CatalogueCache } from "./catalogue-cache";

const page = (total: number) => ({ items: [], total });

describe("CatalogueCache", () => {
  it("serves a page from memory until it expires", async () => {
    let now = 0;
    let loads = 0;
    const cache = new CatalogueCache({ ttlMs: 1000, now: () => now });
    const load = async () => page(++loads);
    expect((await cache.get("a", load)).total).toBe(1);
    now = 999;
    expect((await cache.get("a", load)).total).toBe(1);
    now = 1000;
    expect((await cache.get("a", load)).total).toBe(2);
  });

  it("forgets every page when cleared, and does not keep one loaded across a clear", async () => {
    let loads = 0;
    const cache = new CatalogueCache({ ttlMs: 60_000 });
    await cache.get("a", async () => page(++loads));
    cache.clear();
    let release!: () => void;
    const slow = cache.get("a", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return page(++loads);
    });
    cache.clear();
    release();
    expect((await slow).total).toBe(2);
    expect((await cache.get("a", async () => page(++loads))).total).toBe(3);
  });

  it("is off with a time to live of 0", async () => {
    let loads = 0;
    const cache = new CatalogueCache({ ttlMs: 0 });
    await cache.get("a", async () => page(++loads));
    expect((await cache.get("a", async () => page(++loads))).total).toBe(2);
  });
});
