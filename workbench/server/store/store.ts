import { sql } from "kysely";
import type { StoreConfig } from "../config";
import { connect } from "./connect";
import type { Db } from "./db";
import { migrateToLatest } from "./migrations";
import { CellRepository } from "./repositories/cell-repository";
import { DatasetRepository } from "./repositories/dataset-repository";
import { IndexerRepository } from "./repositories/indexer-repository";
import { NonceRepository } from "./repositories/nonce-repository";
import { NotebookRepository } from "./repositories/notebook-repository";
import { RunRepository } from "./repositories/run-repository";
import { ScheduleRepository } from "./repositories/schedule-repository";
import { SessionRepository } from "./repositories/session-repository";
import { TemplateRepository } from "./repositories/template-repository";

/** The repositories, bound either to the database or to one transaction. */
export interface Repositories {
  readonly sessions: SessionRepository;
  readonly nonces: NonceRepository;
  readonly notebooks: NotebookRepository;
  readonly cells: CellRepository;
  readonly templates: TemplateRepository;
  readonly runs: RunRepository;
  readonly schedules: ScheduleRepository;
  readonly datasets: DatasetRepository;
  readonly indexer: IndexerRepository;
}

/**
 * The workbench's one store interface, the same over SQLite and PostgreSQL. Each repository method is
 * atomic; `transaction` groups several so that a rejected request leaves nothing half-written.
 */
export interface Store extends Repositories {
  readonly dialect: StoreConfig["kind"];
  /**
   * Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws
   * (the error is rethrown).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
  /** The Kysely handle, for migrations and tests; application code goes through the repositories. */
  readonly db: Db;
}

/** Opens the store `config` describes (it does not migrate; call `migrate()`). */
export function createStore(config: StoreConfig): Store {
  const db = connect(config);
  return {
    dialect: config.kind,
    db,
    ...repositoriesOf(db),
    transaction: (work) => db.transaction().execute((trx) => work(repositoriesOf(trx))),
    migrate: async () => {
      await migrateToLatest(db);
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

function repositoriesOf(db: Db): Repositories {
  return {
    sessions: new SessionRepository(db),
    nonces: new NonceRepository(db),
    notebooks: new NotebookRepository(db),
    cells: new CellRepository(db),
    templates: new TemplateRepository(db),
    runs: new RunRepository(db),
    schedules: new ScheduleRepository(db),
    datasets: new DatasetRepository(db),
    indexer: new IndexerRepository(db),
  };
}

export { NO_RUN_EARNINGS } from "./repositories/dataset-repository";
