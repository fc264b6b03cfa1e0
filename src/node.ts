/**
 * `email-scheduler/node`: the layers that need Node and better-sqlite3, for a host (or a test) that runs on Node. The
 * main entry stays free of them; this one brings @effect/platform-node and @effect/sql-sqlite-node.
 *
 * Live: `runnableFile(path)` (a SQLite file with the run's live services), `databaseFile(path)`, `StorageSync` over an
 * `ObjectStore`, `jobLayer` and `productionJob` (what entrypoint.ts composes).
 * Test: `DatabaseInMemory` (a migrated in-memory database), `StorageSync.inTemporaryDirectory` (a directory store in a
 * scoped temporary directory), and from the main entry `BusinessClock.fixed` / `RulesEngine.withRuleset`.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Layer } from "effect"
import { Database } from "./db/Database.js"
import { MigrationsLive } from "./db/migrations.js"
import { connectionDefaults } from "./db/pragmas.js"

export { databaseFile, runnableFile, sqliteFile } from "./app/sqlite.js"
export { JobConfig, type ProductionConfig } from "./production/config.js"
export { INTERRUPTED, type JobServices, jobLayer, productionJob } from "./production/job.js"
export { type PulledDatabase, StorageSync, type SyncTarget } from "./production/StorageSync.js"
export { temporaryDirectoryStore } from "./storage/directory-store.js"

/** A fresh in-memory SQLite database with every migration applied (its `SqlClient`). Provide it per test. */
export const SqlInMemory = MigrationsLive.pipe(
  Layer.provideMerge(Layer.effectDiscard(connectionDefaults)),
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
)

/** The Database service on a fresh migrated in-memory database, with Node's file system (a run's staging file). */
export const DatabaseInMemory = Layer.mergeAll(
  Database.Default.pipe(Layer.provideMerge(SqlInMemory)),
  NodeFileSystem.layer
)
