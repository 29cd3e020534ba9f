import { Migrator, sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { migrations, migrateToLatest } from "../store/migrations";
import type { Store } from "../store/store";
import { describeEachBackend, TABLES } from "./support/backends";

describeEachBackend("migrations", (backend) => {
  let opened: { store: Store; cleanup(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  const tableExists = async (store: Store, table: string) =>
    sql`select count(*) as n from ${sql.table(table)}`.execute(store.db).then(
      () => true,
      () => false,
    );

  it("creates every table on an empty database, and a second run changes nothing", async () => {
    opened = await backend.open({ migrate: false });
    const { store } = opened;
    expect(await tableExists(store, "notebooks")).toBe(false);
    const first = await migrateToLatest(store.db);
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(Object.keys(migrations).map((name) => [name, "Success"]));
    for (const table of TABLES) expect(await tableExists(store, table), table).toBe(true);
    const second = await migrateToLatest(store.db);
    expect(second.results).toEqual([]);
  });

  it("migrates all the way down again", async () => {
    opened = await backend.open();
    const { store } = opened;
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    for (let i = 0; i < Object.keys(migrations).length; i++) {
      const { error } = await migrator.migrateDown();
      expect(error).toBeUndefined();
    }
    for (const table of TABLES) expect(await tableExists(store, table), table).toBe(false);
  });

  it("has a store indexed before datasets had a privacy setting index the chain again, so no private dataset reads exact", async () => {
    opened = await backend.open({ migrate: false });
    const { store } = opened;
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo("0003-schedule-attempts")).error).toBeUndefined();
    const at = new Date();
    await store.indexer.save({ key: "31337:0xmarket", chainId: 31337, genesisHash: "0xgenesis", lastIndexedBlock: 812 }, at);

    await migrateToLatest(store.db);

    expect(await store.indexer.list()).toEqual([expect.objectContaining({ key: "31337:0xmarket", lastIndexedBlock: -1 })]);
  });

  it("has a store indexed before datasets had rollups index the chain again, so plans over them use their rollups", async () => {
    opened = await backend.open({ migrate: false });
    const { store } = opened;
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo("0005-run-earnings")).error).toBeUndefined();
    await store.indexer.save({ key: "31337:0xmarket", chainId: 31337, genesisHash: "0xgenesis", lastIndexedBlock: 812 }, new Date());

    await migrateToLatest(store.db);

    expect(await store.indexer.list()).toEqual([expect.objectContaining({ key: "31337:0xmarket", lastIndexedBlock: -1 })]);
  });
});
