/**
 * The production job's questions to a database file as a whole: is it intact, whose run is its newest checkpoint,
 * and a self-contained copy of it. Each runs on its own connection to the file (`SqlClient`).
 */
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"

const IntegrityRow = Schema.Struct({ integrity_check: Schema.String })

/** What `PRAGMA integrity_check` reports; an intact file answers exactly ["ok"]. */
export const integrityReport = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA integrity_check`).pipe(
  Effect.flatMap(Schema.decodeUnknown(Schema.Array(IntegrityRow))),
  Effect.map((rows) => rows.map((row) => row.integrity_check))
)

const CheckpointRow = Schema.Struct({ run_id: Schema.String, status: Schema.String })

/** The run id and status of the newest checkpoint row, if there is one. */
export const newestCheckpoint = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`SELECT run_id, status FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1`
).pipe(
  Effect.flatMap(Schema.decodeUnknown(Schema.Array(CheckpointRow))),
  Effect.map((rows) => rows[0])
)

/** One self-contained file (no -wal/-shm) written by SQLite itself: a consistent copy even beside a busy writer. */
export const vacuumInto = (destination: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`VACUUM INTO ${destination}`).pipe(Effect.asVoid)
