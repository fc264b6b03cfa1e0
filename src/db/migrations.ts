import { Migrator } from "@effect/sql"
import { Effect, Layer, Option, Predicate } from "effect"
import { DatabaseError } from "./errors.js"
import baseSchema from "./migrations/0001_base_schema.js"
import leanIndexes from "./migrations/0002_lean_indexes.js"
import changeTracking from "./migrations/0003_change_tracking.js"
import abandonedCheckpoints from "./migrations/0004_abandoned_checkpoints.js"
import deferredIndexes from "./migrations/0005_deferred_indexes.js"
import changedContacts from "./migrations/0006_changed_contacts.js"
import planReuse from "./migrations/0007_plan_reuse.js"
import countLookalikeWrites from "./migrations/0008_count_lookalike_writes.js"
import { MIGRATIONS_TABLE } from "./migrations-table.js"
import { ensureRecognised } from "./recognise.js"

export { MIGRATIONS_TABLE }

const migrator = Migrator.make({})({
  loader: Migrator.fromRecord({
    "0001_base_schema": baseSchema,
    "0002_lean_indexes": leanIndexes,
    "0003_change_tracking": changeTracking,
    "0004_abandoned_checkpoints": abandonedCheckpoints,
    "0005_deferred_indexes": deferredIndexes,
    "0006_changed_contacts": changedContacts,
    "0007_plan_reuse": planReuse,
    "0008_count_lookalike_writes": countLookalikeWrites
  }),
  table: MIGRATIONS_TABLE
})

/**
 * Refuses a database that is neither empty, ours, nor the predecessor's (recognise.ts), then applies every pending
 * migration in one transaction; already applied ones are skipped, so a second run is a no-op.
 * The Migrator reports a failing migration as a defect; it becomes a typed `DatabaseError` here.
 */
export const runMigrations = Effect.zipRight(ensureRecognised, migrator).pipe(
  Effect.catchSomeDefect((defect) =>
    defect instanceof Migrator.MigrationError || Predicate.isTagged(defect, "SqlError")
      ? Option.some(Effect.fail(new DatabaseError({ operation: "migrate", cause: defect })))
      : Option.none()
  ),
  Effect.mapError((cause) =>
    cause instanceof DatabaseError || cause._tag === "UnrecognisedDatabase"
      ? cause
      : new DatabaseError({ operation: "migrate", cause })
  ),
  Effect.withSpan("Migrations.run")
)

export const MigrationsLive = Layer.effectDiscard(runMigrations)
