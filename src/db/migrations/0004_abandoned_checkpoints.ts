import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"

const STATUS_CHECK = "CHECK (status IN ('started', 'completed', 'failed'))"
const WITH_ABANDONED = "CHECK (status IN ('started', 'completed', 'failed', 'abandoned'))"

const SchemaRow = Schema.Struct({ type: Schema.String, sql: Schema.String })

/**
 * Issue 15: a checkpoint whose run was killed becomes `abandoned` (run/checkpoint.ts), so the status CHECK of
 * 0001 gains that value. SQLite cannot alter a CHECK in place (and our connections run in defensive mode, where the
 * schema table is read-only), so the table is rebuilt the documented way: create it anew with the wider CHECK, copy
 * every row, drop the old one, rename, and recreate its indexes and triggers. A table without our CHECK (a
 * predecessor's own) has nothing to widen and is left as it is.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT type, sql FROM sqlite_master
      WHERE tbl_name = 'scheduler_checkpoints' AND sql IS NOT NULL`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(SchemaRow)))
  )
  const table = rows.find((row) => row.type === "table")
  if (table === undefined || !table.sql.includes(STATUS_CHECK)) return
  const rebuilt = table.sql
    .replace(STATUS_CHECK, WITH_ABANDONED)
    .replace(/^CREATE TABLE\s+("?)scheduler_checkpoints\1/i, "CREATE TABLE scheduler_checkpoints_rebuilt")
  yield* sql.unsafe(rebuilt)
  yield* sql.unsafe("INSERT INTO scheduler_checkpoints_rebuilt SELECT * FROM scheduler_checkpoints")
  yield* sql.unsafe("DROP TABLE scheduler_checkpoints")
  yield* sql.unsafe("ALTER TABLE scheduler_checkpoints_rebuilt RENAME TO scheduler_checkpoints")
  for (const dependent of rows.filter((row) => row.type === "index" || row.type === "trigger"))
    yield* sql.unsafe(dependent.sql)
})
