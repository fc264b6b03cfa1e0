import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DatabaseError } from "./errors.js"
import { EMAIL_SCHEDULE_COLUMNS } from "./fast-rows.js"

/**
 * Change tracking (issue 11): a counter that triggers raise on every change to what a run reads, except the writes
 * the scheduler itself makes (its own pre-scheduled and skipped rows, marked with its run id). A completed run
 * records the counter when nothing but its own writes changed it; a later run on the same day, with the same
 * settings and the counter unchanged, knows the stored plan is already its plan (spec §12.4) without reading it.
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

const OWNED = "('pre-scheduled', 'skipped')"
/** Columns of email_schedules a plan depends on: all it reads but the id and the run id (so not updated_at, which a
 * predecessor trigger touches). */
const PLAN_COLUMNS = EMAIL_SCHEDULE_COLUMNS.filter((column) => column !== "id" && column !== "scheduler_run_id")

const BUMP = `UPDATE ${CHANGES_TABLE} SET version = version + 1 WHERE id = 1;`

/**
 * Records the contact `row.column` names (row: NEW or OLD) as changed at the counter's value. A value that is not an
 * integer names no contact (a malformed row, reported by the run): it records nothing, and never fails the statement
 * of the application that made the change. A change the counter does not count (`counted` false: a row written as the
 * scheduler writes its own) is recorded one beyond the counter, so that a run already under way does not forget it.
 */
const recordContact = (row: "NEW" | "OLD", column: string, unlessSameAsNew = false, counted = "1"): string =>
  `INSERT OR REPLACE INTO ${CHANGED_CONTACTS_TABLE} (contact_id, version)
    SELECT ${row}.${column}, version + (CASE WHEN ${counted} THEN 0 ELSE 1 END)
    FROM ${CHANGES_TABLE} WHERE id = 1 AND typeof(${row}.${column}) = 'integer'${
      unlessSameAsNew ? ` AND ${row}.${column} IS NOT NEW.${column}` : ""
    };`

/**
 * The trigger body for one change: the counter (only when `counted` holds), then the contact or contacts it concerns
 * (always).
 */
const changeBody = (event: "INSERT" | "UPDATE" | "DELETE", column: string | undefined, counted = "1"): string => {
  const bump =
    counted === "1" ? BUMP : `UPDATE ${CHANGES_TABLE} SET version = version + 1 WHERE id = 1 AND (${counted});`
  if (column === undefined) return bump
  if (event === "INSERT") return `${bump} ${recordContact("NEW", column, false, counted)}`
  if (event === "DELETE") return `${bump} ${recordContact("OLD", column, false, counted)}`
  return `${bump} ${recordContact("NEW", column, false, counted)} ${recordContact("OLD", column, true, counted)}`
}

/** Inserts the counter counts: all but the scheduler's own (its statuses, always with its run id). */
const COUNTED_INSERT = `NEW.scheduler_run_id IS NULL OR NEW.status NOT IN ${OWNED}`
/**
 * Updates the counter counts: the scheduler's updates set its own statuses and a new run id; anyone else's keep the run
 * id, or set a status of the sender's.
 */
const COUNTED_UPDATE = `NEW.status NOT IN ${OWNED} OR (NEW.scheduler_run_id IS OLD.scheduler_run_id AND (${PLAN_COLUMNS.map(
  (column) => `NEW.${column} IS NOT OLD.${column}`
).join(" OR ")}))`

/** Every trigger, by name, with its SQL: the run trusts the counter only when all of them are in place. */
export const CHANGE_TRIGGERS: ReadonlyArray<{ readonly name: string; readonly sql: string }> = [
  ...TRACKED_TABLES.flatMap(([table, column]) =>
    (["INSERT", "UPDATE", "DELETE"] as const).map((event) => {
      const name = `email_scheduler_changed_${table}_${event.toLowerCase()}`
      return { name, sql: `CREATE TRIGGER ${name} AFTER ${event} ON ${table} BEGIN ${changeBody(event, column)} END` }
    })
  ),
  {
    // Every insert and update records its contact, even one written as the scheduler writes (someone could); the
    // counter counts the others' (the write thread drops both triggers in its own transactions: QUIET_TRIGGERS).
    name: "email_scheduler_changed_email_schedules_insert",
    sql: `CREATE TRIGGER email_scheduler_changed_email_schedules_insert AFTER INSERT ON email_schedules
      BEGIN ${changeBody("INSERT", "contact_id", COUNTED_INSERT)} END`
  },
  {
    name: "email_scheduler_changed_email_schedules_update",
    sql: `CREATE TRIGGER email_scheduler_changed_email_schedules_update AFTER UPDATE ON email_schedules
      BEGIN ${changeBody("UPDATE", "contact_id", COUNTED_UPDATE)} END`
  },
  {
    // Every delete counts; a run counts its own and checks the difference at the end.
    name: "email_scheduler_changed_email_schedules_delete",
    sql: `CREATE TRIGGER email_scheduler_changed_email_schedules_delete AFTER DELETE ON email_schedules
      BEGIN ${changeBody("DELETE", "contact_id")} END`
  }
]

/**
 * The triggers the write thread drops at the start of each of its transactions and creates again, from the SQL they
 * had, just before the commit (db/write-thread.ts). Their counting condition is false for every row the scheduler
 * writes (its own statuses with its run id: the rows a run inserts, and the rows it updates, which carry an earlier
 * run's id), so the counter is the same without them; the contacts they would record are contacts the run writes,
 * whose plan reuse records it deleted before its first write (run/plan-reuse.ts). SQLite would still enter a trigger
 * program for every row (about 0.5 µs a row
 * in a first run's write, which inserts 4.4 M rows at 1 M contacts). Nobody else ever finds them missing: the
 * transaction holds the write lock, and other connections read only committed schema. The delete trigger stays: a run
 * counts its own deletes.
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
