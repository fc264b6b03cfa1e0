import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CHANGE_TRIGGERS, createChangedContactsTable } from "../change-tracking.js"

/**
 * Issue 11, plan reuse: the table of contacts whose plan input someone else changed, and the change triggers again,
 * now recording those contacts as well as counting (db/change-tracking.ts).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(createChangedContactsTable)
  for (const trigger of CHANGE_TRIGGERS) {
    yield* sql.unsafe(`DROP TRIGGER IF EXISTS ${trigger.name}`)
    yield* sql.unsafe(trigger.sql)
  }
})
