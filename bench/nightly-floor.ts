import { copyFileSync } from "node:fs"
import BetterSqlite3 from "better-sqlite3"
import { dropTriggers, QUIET_TRIGGERS } from "../src/db/change-tracking.js"
import { EMAIL_SCHEDULE_COLUMNS } from "../src/db/fast-rows.js"
import { UPDATED_COLUMNS, WRITTEN_COLUMNS } from "../src/db/plan-writes.js"
import { useRunPragmas } from "./floor.js"

/**
 * The I/O floor of a night (issue 11): what SQLite alone needs to read a night's input and make the writes that night's
 * run made, with no planning at all. On a copy of the database taken just before the nightly run: per range of 25,000
 * contacts (the large profile's batch), read every stored row of the range with the columns the run reads, then, in one
 * transaction, delete, update and insert exactly the rows the run deleted, updated and inserted (taken from the
 * database after the run; finding them is not timed). One prepared statement per kind of write. Each transaction drops
 * the change counter's insert and update triggers until it commits, as the run's write thread does (bench/floor.ts).
 */
export interface NightlyFloorResult {
  readonly seconds: number
  readonly readSeconds: number
  readonly writeSeconds: number
  /** Of `writeSeconds`: the updates alone (each range's deletes and inserts take the rest, commits included). */
  readonly updateSeconds: number
  readonly rowsRead: number
  readonly deleted: number
  readonly updated: number
  readonly inserted: number
}

const RANGE = 25_000

/** A copy of the database as the nightly run will find it (its write-ahead log folded in first). */
export const copyBeforeNight = (path: string): string => {
  const copy = `${path}.before-night`
  const db = new BetterSqlite3(path)
  try {
    db.pragma("wal_checkpoint(TRUNCATE)")
  } finally {
    db.close()
  }
  copyFileSync(path, copy)
  return copy
}

const numberOf = (value: unknown): number => (typeof value === "number" ? value : 0)
const arrays = (rows: ReadonlyArray<unknown>): Array<ReadonlyArray<unknown>> =>
  rows.filter((row): row is ReadonlyArray<unknown> => Array.isArray(row))
const numbers = (values: ReadonlyArray<unknown>): Array<number> =>
  values.filter((value): value is number => typeof value === "number")

/** `before`: the copy from `copyBeforeNight` (it is written to); `after`: the database the nightly run `runId` left. */
export const measureNightlyFloor = (before: string, after: string, runId: string): NightlyFloorResult => {
  const night = new BetterSqlite3(after, { readonly: true })
  const db = new BetterSqlite3(before)
  try {
    useRunPragmas(db)
    const lastContact = numberOf(db.prepare("SELECT max(id) FROM contacts").pluck().get())
    const readStored = db
      .prepare(
        `SELECT ${EMAIL_SCHEDULE_COLUMNS.join(", ")} FROM email_schedules
          WHERE contact_id BETWEEN ? AND ? ORDER BY contact_id, id`
      )
      .raw(true)
    const storedStatuses = db
      .prepare("SELECT id, status FROM email_schedules WHERE contact_id BETWEEN ? AND ?")
      .raw(true)
    const idsAfter = night.prepare("SELECT id FROM email_schedules WHERE contact_id BETWEEN ? AND ?").pluck()
    const writtenAfter = night
      .prepare(
        `SELECT id, ${WRITTEN_COLUMNS.join(", ")} FROM email_schedules
          WHERE contact_id BETWEEN ? AND ? AND scheduler_run_id = ?`
      )
      .raw(true)
    const remove = db.prepare("DELETE FROM email_schedules WHERE id = ?")
    const updateSet = UPDATED_COLUMNS.map((column) => `${column} = ?`).join(", ")
    const updateSameStatus = db.prepare(`UPDATE email_schedules SET ${updateSet} WHERE id = ?`)
    const updateWithStatus = db.prepare(`UPDATE email_schedules SET status = ?, ${updateSet} WHERE id = ?`)
    const insert = db.prepare(
      `INSERT INTO email_schedules (${WRITTEN_COLUMNS.join(", ")}) VALUES (${WRITTEN_COLUMNS.map(() => "?").join(", ")})`
    )
    const position = (column: (typeof WRITTEN_COLUMNS)[number]) => 1 + WRITTEN_COLUMNS.indexOf(column)
    const updateValues = (row: ReadonlyArray<unknown>) => UPDATED_COLUMNS.map((column) => row[position(column)])

    let readMs = 0
    let writeMs = 0
    let updateMs = 0
    let rowsRead = 0
    let deleted = 0
    let updated = 0
    let inserted = 0
    for (let first = 1; first <= lastContact; first += RANGE) {
      const last = first + RANGE - 1
      const readStart = performance.now()
      for (const _row of readStored.iterate(first, last)) rowsRead++
      readMs += performance.now() - readStart

      // Not timed: what the run wrote in this range.
      const statusBefore = new Map<number, string>()
      for (const row of arrays(storedStatuses.all(first, last))) statusBefore.set(numberOf(row[0]), String(row[1]))
      const kept = new Set(numbers(idsAfter.all(first, last)))
      const deletes = [...statusBefore.keys()].filter((id) => !kept.has(id))
      const written = arrays(writtenAfter.all(first, last, runId))
      const updates = written.filter((row) => statusBefore.has(numberOf(row[0])))
      const inserts = written.filter((row) => !statusBefore.has(numberOf(row[0]))).map((row) => row.slice(1))

      const writeStart = performance.now()
      db.transaction(() => {
        const restoreTriggers = dropTriggers(db, QUIET_TRIGGERS)
        for (const id of deletes) remove.run(id)
        const updateStart = performance.now()
        for (const row of updates) {
          const id = numberOf(row[0])
          const status = row[position("status")]
          if (status === statusBefore.get(id)) updateSameStatus.run(...updateValues(row), id)
          else updateWithStatus.run(status, ...updateValues(row), id)
        }
        updateMs += performance.now() - updateStart
        for (const row of inserts) insert.run(...row)
        restoreTriggers()
      })()
      writeMs += performance.now() - writeStart
      deleted += deletes.length
      updated += updates.length
      inserted += inserts.length
    }
    return {
      seconds: (readMs + writeMs) / 1000,
      readSeconds: readMs / 1000,
      writeSeconds: writeMs / 1000,
      updateSeconds: updateMs / 1000,
      rowsRead,
      deleted,
      updated,
      inserted
    }
  } finally {
    night.close()
    db.close()
  }
}
