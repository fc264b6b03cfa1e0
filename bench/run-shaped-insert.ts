/**
 * Rows of a first run's shape inserted into an empty `email_schedules` as the run's write thread inserts them (500 to a
 * statement, the table as the migration creates it with its unique key, a rollback journal synced FULL): the common
 * part of bench/bind-cost.ts and bench/commit-cache.ts. It writes only a scratch file, removed afterwards.
 */
import { rmSync } from "node:fs"
import BetterSqlite3 from "better-sqlite3"
import { WRITTEN_COLUMNS } from "../src/db/plan-writes.js"
import { createIndexSql, createTableSql, EMAIL_SCHEDULES } from "../src/db/schema.js"
import { useBulkWritePragmas } from "./floor.js"

/** Rows per statement, as the write thread inserts them. */
const PER_STATEMENT = 500
const RUN_CONSTANTS = "'run_bench', '2026-11-29 00:00:00', '2026-11-29 00:00:00'"
/** A row's values: 4 bound (the rest constants in the statement, as the floor writes them) or 14 (as the run binds). */
const ROW_TEXT = {
  literal: `(?, ?, ?, '08:30:00', 'pre-scheduled', NULL, 20, NULL, NULL, NULL, 2027, 3, 1, ?, ${RUN_CONSTANTS})`,
  bound: `(${new Array(14).fill("?").join(", ")}, ${RUN_CONSTANTS})`
} as const
export type Binding = keyof typeof ROW_TEXT
export const valuesBound = (binding: Binding): number => (binding === "literal" ? 4 : 14)

const METADATA = JSON.stringify({ planned_date: "2027-03-01", pad: "x".repeat(215) })
const TYPES = ["aep", "birthday", "campaign_initial_blast", "effective_date"] as const

export interface InsertOptions {
  /** The scratch file (created, then removed with its journal). */
  readonly path: string
  /** Rows to insert, rounded down to whole statements. */
  readonly rows: number
  readonly binding: Binding
  /** Transactions the rows are split into, as a first run's batches split them. */
  readonly transactions: number
  /** The connection's page cache. */
  readonly cacheKib: number
}

export interface InsertTimes {
  readonly rows: number
  readonly seconds: number
  /** The part spent in the COMMIT statements. */
  readonly commitSeconds: number
}

const removeFiles = (path: string) => {
  for (const file of [path, `${path}-journal`]) rmSync(file, { force: true })
}

export const insertRunShapedRows = (options: InsertOptions): InsertTimes => {
  const { path, binding } = options
  removeFiles(path)
  const db = new BetterSqlite3(path)
  try {
    useBulkWritePragmas(db)
    // As the run's write thread: the table's references name tables this file does not have.
    db.pragma("foreign_keys = OFF")
    db.pragma(`cache_size = -${options.cacheKib}`)
    // The real table (spec §2.4) with its unique key, the one index a first run keeps while it writes.
    db.exec(createTableSql(EMAIL_SCHEDULES))
    for (const index of EMAIL_SCHEDULES.indexes.filter((index) => index.unique)) {
      db.exec(createIndexSql(EMAIL_SCHEDULES.name, index))
    }
    const insert = db.prepare(
      `INSERT INTO email_schedules (${WRITTEN_COLUMNS.join(", ")}) VALUES ${new Array(PER_STATEMENT).fill(ROW_TEXT[binding]).join(", ")}`
    )
    const statements = Math.floor(options.rows / PER_STATEMENT)
    const perTransaction = Math.ceil(statements / Math.max(1, options.transactions))
    const bound: Array<string | number | null> = []
    let commitMs = 0
    const started = performance.now()
    for (let statement = 0; statement < statements; statement++) {
      if (statement % perTransaction === 0) db.exec("BEGIN")
      bound.length = 0
      for (let row = statement * PER_STATEMENT; row < (statement + 1) * PER_STATEMENT; row++) {
        const contactId = 1 + Math.floor(row / TYPES.length)
        const type = TYPES[row % TYPES.length]!
        const date = `2027-${String(1 + (row % 12)).padStart(2, "0")}-${String(1 + (row % 28)).padStart(2, "0")}`
        if (binding === "literal") bound.push(contactId, type, date, METADATA)
        else
          bound.push(
            contactId,
            type,
            date,
            "08:30:00",
            "pre-scheduled",
            null,
            20,
            null,
            null,
            null,
            2027,
            3,
            1,
            METADATA
          )
      }
      insert.run(bound)
      if ((statement + 1) % perTransaction === 0 || statement + 1 === statements) {
        const committing = performance.now()
        db.exec("COMMIT")
        commitMs += performance.now() - committing
      }
    }
    return {
      rows: statements * PER_STATEMENT,
      seconds: (performance.now() - started) / 1000,
      commitSeconds: commitMs / 1000
    }
  } finally {
    db.close()
    removeFiles(path)
  }
}
