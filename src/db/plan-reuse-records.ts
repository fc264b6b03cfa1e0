import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { CHANGED_CONTACTS_TABLE } from "./change-tracking.js"
import type { ContactIdRange } from "./Database.js"
import { DatabaseError } from "./errors.js"

/**
 * Where plan reuse keeps its records (run/plan-reuse.ts): one per contact whose stored rows were its plan, with the
 * day numbers of the run that found it (`made_on`) and of the first day that plan may change (`holds_until`), and the
 * facts of its rows; and the settings and campaigns the records were made with. A record holds from `made_on` up to
 * the day before `holds_until`: an earlier business date (a run back in time) plans the contact.
 */
export const PLAN_REUSE_TABLE = "email_scheduler_plan_reuse"
export const PLAN_REUSE_CONTEXT_TABLE = "email_scheduler_plan_reuse_context"

export const createPlanReuseTables = [
  `CREATE TABLE IF NOT EXISTS ${PLAN_REUSE_TABLE}
    (contact_id INTEGER PRIMARY KEY, made_on INTEGER NOT NULL, holds_until INTEGER NOT NULL, facts BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${PLAN_REUSE_CONTEXT_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), context TEXT NOT NULL)`
] as const

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

/** A stored record; anything else in the table (edited by hand) is not one, and its contact is planned. */
export interface StoredReuseRecord {
  readonly madeOn: number
  readonly holdsUntil: number
  readonly facts: Uint8Array
}

const isInt = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value)

/** The records of a range of contacts, and which of its contacts someone changed since a run saw them. */
export const reuseInputsOf = (range: ContactIdRange) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const records = new Map<number, StoredReuseRecord>()
    const rows = yield* sql.unsafe(
      `SELECT contact_id, made_on, holds_until, facts FROM ${PLAN_REUSE_TABLE} WHERE contact_id BETWEEN ? AND ?`,
      [range.firstId, range.lastId]
    ).values
    for (const [contactId, madeOn, holdsUntil, facts] of rows) {
      if (isInt(contactId) && isInt(madeOn) && isInt(holdsUntil) && facts instanceof Uint8Array) {
        records.set(contactId, { madeOn, holdsUntil, facts })
      }
    }
    const changed = new Set<number>()
    if (records.size > 0) {
      const ids = yield* sql.unsafe(
        `SELECT contact_id FROM ${CHANGED_CONTACTS_TABLE} WHERE contact_id BETWEEN ? AND ?`,
        [range.firstId, range.lastId]
      ).values
      for (const [id] of ids) if (isInt(id)) changed.add(id)
    }
    return { records, changed }
  }).pipe(failAs("read the plan reuse records"))

const Context = Schema.Array(Schema.Struct({ context: Schema.String }))

/** The context the stored records were made with, if any. */
export const storedReuseContext = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`SELECT context FROM ${sql(PLAN_REUSE_CONTEXT_TABLE)} WHERE id = 1`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Context))
  )
  return rows[0]?.context
}).pipe(failAs("read the plan reuse context"))

/** Ids per statement: JSON arrays SQLite reads itself (one statement per id would cost more than the deletes). */
const CHUNK = 50_000

/**
 * Before a run writes anything: its records, and the stale ones. With another context every record goes and the new
 * context is recorded; otherwise the records of `contactIds` go (contacts the run plans again, or whose rows it moves).
 */
export const dropReuseRecords = (context: string, sameContext: boolean, contactIds: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    if (!sameContext) {
      yield* sql.unsafe(`DELETE FROM ${PLAN_REUSE_TABLE}`)
      yield* sql.unsafe(`INSERT OR REPLACE INTO ${PLAN_REUSE_CONTEXT_TABLE} (id, context) VALUES (1, ?)`, [context])
      return
    }
    for (let at = 0; at < contactIds.length; at += CHUNK) {
      yield* sql.unsafe(`DELETE FROM ${PLAN_REUSE_TABLE} WHERE contact_id IN (SELECT value FROM json_each(?))`, [
        JSON.stringify(contactIds.slice(at, at + CHUNK))
      ])
    }
  }).pipe(failAs("drop stale plan reuse records"))

/** Records per statement (three parameters each, within SQLite's 32,766). */
const RECORDS_PER_INSERT = 5_000

/** After a run's last batch: the records of the contacts whose plan it found stored, made on day `madeOn`. */
export const storeReuseRecords = (
  madeOn: number,
  records: Iterable<{ readonly contactId: number; readonly holdsUntil: number; readonly facts: Uint8Array }>
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insert = (values: ReadonlyArray<number | Uint8Array>) =>
      sql.unsafe(
        `INSERT OR REPLACE INTO ${PLAN_REUSE_TABLE} (contact_id, made_on, holds_until, facts) VALUES ${Array.from(
          { length: values.length / 3 },
          () => `(?, ${madeOn}, ?, ?)`
        ).join(", ")}`,
        values
      )
    let values: Array<number | Uint8Array> = []
    for (const record of records) {
      values.push(record.contactId, record.holdsUntil, record.facts)
      if (values.length < 3 * RECORDS_PER_INSERT) continue
      yield* insert(values)
      values = []
    }
    if (values.length > 0) yield* insert(values)
  }).pipe(failAs("store plan reuse records"))
