/**
 * What binding a row's values costs a first run's insert (issue 11, BENCHMARKS.md session 28): the same rows of the
 * run's shape inserted into an empty `email_schedules` with the unique key, in one transaction with a rollback journal
 * (as a first run writes), once binding 4 values a row (the others written into the statement as constants, as the
 * floor does) and once binding 14 (as the write thread does). Alternates the two, `--pairs` times.
 *
 *   npm run build && node dist/bench/bind-cost.js [--rows 4375500] [--pairs 2] [--dir /tmp]
 *
 * It writes only a scratch file in `--dir`, removed afterwards.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import BetterSqlite3 from "better-sqlite3"
import { Schema } from "effect"
import { WRITTEN_COLUMNS } from "../src/db/plan-writes.js"
import { createIndexSql, createTableSql, EMAIL_SCHEDULES } from "../src/db/schema.js"
import { useBulkWritePragmas } from "./floor.js"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "4375500" },
    pairs: { type: "string", default: "2" },
    dir: { type: "string", default: "/tmp" }
  }
})
const count = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))
const rows = count(values.rows)
const pairs = count(values.pairs)
const path = join(values.dir, `email-scheduler-bind-cost-${process.pid}.sqlite`)

/** Rows per statement, as the write thread inserts them. */
const PER_STATEMENT = 500
const RUN_CONSTANTS = "'run_bind_cost', '2026-11-29 00:00:00', '2026-11-29 00:00:00'"
const ROW_TEXT = {
  literal: `(?, ?, ?, '08:30:00', 'pre-scheduled', NULL, 20, NULL, NULL, NULL, 2027, 3, 1, ?, ${RUN_CONSTANTS})`,
  bound: `(${new Array(14).fill("?").join(", ")}, ${RUN_CONSTANTS})`
} as const
type Binding = keyof typeof ROW_TEXT

const METADATA = JSON.stringify({ planned_date: "2027-03-01", pad: "x".repeat(215) })
const TYPES = ["aep", "birthday", "campaign_initial_blast", "effective_date"] as const

const removeFiles = () => {
  for (const file of [path, `${path}-journal`]) rmSync(file, { force: true })
}

const insertAll = (binding: Binding): number => {
  removeFiles()
  const db = new BetterSqlite3(path)
  try {
    useBulkWritePragmas(db)
    // As the run's write thread: the table's references name tables this file does not have.
    db.pragma("foreign_keys = OFF")
    db.pragma("cache_size = -65536")
    // The real table (spec §2.4) with its unique key, the one index a first run keeps while it writes.
    db.exec(createTableSql(EMAIL_SCHEDULES))
    for (const index of EMAIL_SCHEDULES.indexes.filter((index) => index.unique)) {
      db.exec(createIndexSql(EMAIL_SCHEDULES.name, index))
    }
    const insert = db.prepare(
      `INSERT INTO email_schedules (${WRITTEN_COLUMNS.join(", ")}) VALUES ${new Array(PER_STATEMENT).fill(ROW_TEXT[binding]).join(", ")}`
    )
    const bound: Array<string | number | null> = []
    const started = performance.now()
    db.transaction(() => {
      for (let first = 0; first + PER_STATEMENT <= rows; first += PER_STATEMENT) {
        bound.length = 0
        for (let row = first; row < first + PER_STATEMENT; row++) {
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
      }
    })()
    return (performance.now() - started) / 1000
  } finally {
    db.close()
    removeFiles()
  }
}

const inserted = Math.floor(rows / PER_STATEMENT) * PER_STATEMENT
for (let pair = 0; pair < pairs; pair++) {
  // Alternating which goes first, so that neither always meets the machine's warmer or busier minute.
  const order: ReadonlyArray<Binding> = pair % 2 === 0 ? ["literal", "bound"] : ["bound", "literal"]
  for (const binding of order) {
    const perRow = binding === "literal" ? 4 : 14
    console.log(
      `${perRow} values bound a row: ${inserted.toLocaleString("en-US")} rows in ${insertAll(binding).toFixed(2)} s`
    )
  }
}
