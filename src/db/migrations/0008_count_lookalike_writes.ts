import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CHANGE_TRIGGERS, QUIET_TRIGGERS } from "../change-tracking.js"

/**
 * Issue 11: the insert and update triggers of `email_schedules` count every change, a row written as the scheduler
 * writes its own included (a run's own writes drop them, db/change-tracking.ts QUIET_TRIGGERS). Before, such a row
 * went uncounted, and a re-run on the same day reused the stored plan without seeing it.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const trigger of CHANGE_TRIGGERS.filter((trigger) => QUIET_TRIGGERS.includes(trigger.name))) {
    yield* sql.unsafe(`DROP TRIGGER IF EXISTS ${trigger.name}`)
    yield* sql.unsafe(trigger.sql)
  }
})
