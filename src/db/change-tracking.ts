import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DatabaseError } from "./errors.js"
import { quoteIdentifier } from "./introspect.js"

/**
 * Change tracking (issue 11): a counter that triggers raise on every change to what a run reads. A run's own inserts
 * and updates of `email_schedules` are made with those two triggers dropped (`QUIET_TRIGGERS`); its deletes and
 * enrollment updates it counts itself. A completed run records the counter when nothing but its own writes changed
 * it; a later run on the same day, with the same settings and the counter unchanged, knows the stored plan is already
 * its plan (spec §12.4) without reading it.
 */
export const CHANGES_TABLE = "email_scheduler_changes"

/**
 * The contacts whose plan input someone else changed, each with the counter's value at its latest change (plan reuse,
 * issue 11): a later run may skip planning a contact only while it is absent from this table. A completed run
 * removes the entries of changes it saw (those recorded before it started); a change made while it ran stays.
 */
export const CHANGED_CONTACTS_TABLE = "email_scheduler_changed_contacts"

export const createChangedContactsTable = `CREATE TABLE IF NOT EXISTS ${CHANGED_CONTACTS_TABLE}
  (contact_id INTEGER PRIMARY KEY, version INTEGER NOT NULL)`

/**
 * Tables whose every insert, update and delete can change a plan, with the column naming the one contact whose plan
 * a row feeds (none: the row feeds every plan, and only the counter records its change).
 */
const TRACKED_TABLES = [
  ["contacts", "id"],
  ["contact_events", "contact_id"],
  ["tracking_clicks", "contact_id"],
  ["contact_campaigns", "contact_id"],
  ["campaign_types", undefined],
  ["campaign_instances", undefined],
  ["organizations", undefined],
  ["organization_state_buffers", undefined]
] as const

const BUMP = `UPDATE ${CHANGES_TABLE} SET version = version + 1 WHERE id = 1;`

/**
 * Records the contact `row.column` names (row: NEW or OLD) as changed at the counter's value. A value that is not an
 * integer names no contact (a malformed row, reported by the run): it records nothing, and never fails the statement
 * of the application that made the change.
 */
const recordContact = (row: "NEW" | "OLD", column: string, unlessSameAsNew = false): string =>
  `INSERT OR REPLACE INTO ${CHANGED_CONTACTS_TABLE} (contact_id, version)
    SELECT ${row}.${column}, version FROM ${CHANGES_TABLE} WHERE id = 1 AND typeof(${row}.${column}) = 'integer'${
      unlessSameAsNew ? ` AND ${row}.${column} IS NOT NEW.${column}` : ""
    };`

/** The trigger body for one change: the counter, then the contact or contacts it concerns. */
const changeBody = (event: "INSERT" | "UPDATE" | "DELETE", column: string | undefined): string => {
  if (column === undefined) return BUMP
  if (event === "INSERT") return `${BUMP} ${recordContact("NEW", column)}`
  if (event === "DELETE") return `${BUMP} ${recordContact("OLD", column)}`
  return `${BUMP} ${recordContact("NEW", column)} ${recordContact("OLD", column, true)}`
}

/** Tables whose changes the triggers track, with the column naming a row's contact. */
const TRACKED: ReadonlyArray<readonly [string, string | undefined]> = [
  ...TRACKED_TABLES,
  ["email_schedules", "contact_id"]
]

/** Every trigger, by name, with its SQL: the run trusts the counter only when all of them are in place. */
export const CHANGE_TRIGGERS: ReadonlyArray<{ readonly name: string; readonly sql: string }> = TRACKED.flatMap(
  ([table, column]) =>
    (["INSERT", "UPDATE", "DELETE"] as const).map((event) => {
      const name = `email_scheduler_changed_${table}_${event.toLowerCase()}`
      return { name, sql: `CREATE TRIGGER ${name} AFTER ${event} ON ${table} BEGIN ${changeBody(event, column)} END` }
    })
)

/**
 * The triggers a run drops in each transaction that writes a batch, on the write thread (db/write-thread.ts) and on
 * its own connection (`withQuietTriggers`), and creates again, from the SQL they had, just before the commit. So the
 * counter counts every insert and update of `email_schedules` but the run's own, and a row someone else writes as the
 * scheduler writes its own (its statuses and a run id: an older scheduler, a restored backup) is a change like any
 * other. The contacts they would record are contacts the run writes, whose plan reuse records it deleted before its
 * first write (run/plan-reuse.ts); and a trigger program entered for every row cost about 0.5 µs a row in a first
 * run's write (4.4 M rows at 1 M contacts). Nobody else ever finds them missing: the transaction holds the write lock,
 * and other connections read only committed schema. The delete trigger stays: a run counts its own deletes.
 */
export const QUIET_TRIGGERS: ReadonlyArray<string> = [
  "email_scheduler_changed_email_schedules_insert",
  "email_scheduler_changed_email_schedules_update"
]

/** What `dropTriggers` uses of a better-sqlite3 connection (the library's modules import no driver, not even its types). */
export interface TriggerConnection {
  prepare(sql: string): { raw(): { all(...parameters: Array<string>): Array<unknown> } }
  exec(sql: string): unknown
}

/**
 * Drops the `names` triggers that exist on `db` (a better-sqlite3 connection, inside a transaction) and returns what
 * creates them again, from the SQL each had. Self-contained: the write thread's program embeds it as text, and the
 * benchmark's floors use it to write as the thread does.
 */
export const dropTriggers = (db: TriggerConnection, names: ReadonlyArray<string>): (() => void) => {
  const found = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${names.map(() => "?").join(", ")})`
    )
    .raw()
    .all(...names)
  const dropped: Array<string> = []
  for (const row of found) {
    if (!Array.isArray(row) || typeof row[0] !== "string" || typeof row[1] !== "string") continue
    db.exec(`DROP TRIGGER "${row[0].replaceAll('"', '""')}"`)
    dropped.push(row[1])
  }
  return () => {
    for (const sql of dropped) db.exec(sql)
  }
}

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

const TriggerSql = Schema.Array(Schema.Struct({ name: Schema.String, sql: Schema.String }))

/**
 * Runs `write`, inside the caller's transaction, with the `QUIET_TRIGGERS` dropped, and creates them again from the SQL
 * they had once it succeeds (`dropTriggers` for the run's own connection). When it fails, the transaction's rollback
 * gives them back.
 */
export const withQuietTriggers = <A, E, R>(write: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const quiet =
      yield* sql`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ${sql.in("name", QUIET_TRIGGERS)}`.pipe(
        Effect.flatMap(Schema.decodeUnknown(TriggerSql)),
        failAs("read the change counter's insert and update triggers")
      )
    for (const trigger of quiet) {
      yield* sql.unsafe(`DROP TRIGGER ${quoteIdentifier(trigger.name)}`).pipe(failAs("drop a change trigger"))
    }
    const result = yield* write
    for (const trigger of quiet) yield* sql.unsafe(trigger.sql).pipe(failAs("create a change trigger again"))
    return result
  })

const Version = Schema.Array(Schema.Struct({ version: Schema.Int }))
const Names = Schema.Array(Schema.Struct({ name: Schema.String }))

/**
 * The change counter, or undefined when change tracking is not (fully) installed: a trigger someone dropped means
 * changes may have gone uncounted.
 */
export const changeVersion = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const names =
    yield* sql`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'email_scheduler_changed_%'`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Names))
    )
  const present = new Set(names.map((row) => row.name))
  if (!CHANGE_TRIGGERS.every((trigger) => present.has(trigger.name))) return undefined
  const rows = yield* sql`SELECT version FROM ${sql(CHANGES_TABLE)} WHERE id = 1`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Version))
  )
  return rows[0]?.version
}).pipe(failAs("read the change counter"))

/**
 * After a run that planned every contact: forgets the changed contacts it saw, those recorded at or before the counter
 * it read at its start. A change made while it ran carries a later value and stays, as do the contacts whose rows
 * the run itself deleted: their plans changed, and the next run plans them again.
 */
export const forgetSeenChanges = (startVersion: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`DELETE FROM ${sql(CHANGED_CONTACTS_TABLE)} WHERE version <= ${startVersion}`.pipe(Effect.asVoid)
  ).pipe(failAs("forget the changed contacts a run saw"))
