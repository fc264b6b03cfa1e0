import { NodeFileSystem } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Layer } from "effect"
import { Database } from "../../src/db/Database.js"
import { MigrationsLive } from "../../src/db/migrations.js"
import { connectionDefaults } from "../../src/db/pragmas.js"
import { RunServicesLive } from "../../src/run/index.js"

/** A fresh in-memory database with every migration applied. Provide it per test for isolation. */
export const SqlTest = MigrationsLive.pipe(
  Layer.provideMerge(Layer.effectDiscard(connectionDefaults)),
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
)

/**
 * The test database with Node's file system (where a run keeps its staging file) and the live rules and business clock
 * (TestClock drives it).
 */
export const DatabaseTest = Layer.mergeAll(
  Database.Default.pipe(Layer.provideMerge(SqlTest)),
  NodeFileSystem.layer,
  RunServicesLive
)
