import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CHANGE_TRIGGERS, CHANGES_TABLE, createChangedContactsTable } from "../change-tracking.js"
import { tableColumns } from "../introspect.js"

/**
 * Issue 11: the change counter and its triggers (db/change-tracking.ts), and the checkpoint columns that record it.
 * A database migrated before these columns existed in 0001 gets them here. The triggers are today's, which also record
 * the changed contacts (0006 brings them to a database migrated before), so their table comes with them.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(
    `CREATE TABLE IF NOT EXISTS ${CHANGES_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`
  )
  yield* sql.unsafe(`INSERT OR IGNORE INTO ${CHANGES_TABLE} (id, version) VALUES (1, 0)`)
  yield* sql.unsafe(createChangedContactsTable)
  for (const trigger of CHANGE_TRIGGERS) {
    yield* sql.unsafe(`DROP TRIGGER IF EXISTS ${trigger.name}`)
    yield* sql.unsafe(trigger.sql)
  }
  const columns = yield* tableColumns("scheduler_checkpoints")
  if (!columns.has("data_version"))
    yield* sql.unsafe("ALTER TABLE scheduler_checkpoints ADD COLUMN data_version INTEGER")
  if (!columns.has("scheduler_version")) {
    yield* sql.unsafe("ALTER TABLE scheduler_checkpoints ADD COLUMN scheduler_version TEXT")
  }
})
