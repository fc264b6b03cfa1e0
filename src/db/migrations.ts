import { Migrator } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { DatabaseError } from "./errors.js"
import baseSchema from "./migrations/0001_base_schema.js"
import leanIndexes from "./migrations/0002_lean_indexes.js"
import changeTracking from "./migrations/0003_change_tracking.js"

/** Our own table name, so a host application's migrator on the same file never collides with ours. */
export const MIGRATIONS_TABLE = "email_scheduler_migrations"

const migrator = Migrator.make({})({
  loader: Migrator.fromRecord({
    "0001_base_schema": baseSchema,
    "0002_lean_indexes": leanIndexes,
    "0003_change_tracking": changeTracking
  }),
  table: MIGRATIONS_TABLE
})

/**
 * Applies every pending migration in one transaction; already applied ones are skipped, so a second run is a no-op.
 * The Migrator reports a failing migration as a defect; it becomes a typed `DatabaseError` here.
 */
export const runMigrations = migrator.pipe(
  Effect.catchSomeDefect((defect) =>
    defect instanceof Migrator.MigrationError
      ? Option.some(Effect.fail(new DatabaseError({ operation: "migrate", cause: defect })))
      : Option.none()
  ),
  Effect.mapError((cause) =>
    cause instanceof DatabaseError ? cause : new DatabaseError({ operation: "migrate", cause })
  ),
  Effect.withSpan("Migrations.run")
)

export const MigrationsLive = Layer.effectDiscard(runMigrations)
