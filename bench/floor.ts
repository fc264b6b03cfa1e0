import BetterSqlite3 from "better-sqlite3"
import { dropTriggers, QUIET_TRIGGERS } from "../src/db/change-tracking.js"

export interface FloorResult {
  readonly readSeconds: number
  readonly insertSeconds: number
  readonly seconds: number
  readonly contactsRead: number
  readonly rowsInserted: number
}

/** The PRAGMAs a run writes with (src/db/pragmas.ts), so the floors are measured as the run works. */
export const useRunPragmas = (db: BetterSqlite3.Database): void => {
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.pragma("cache_size = -65536")
  db.pragma("temp_store = MEMORY")
  db.pragma("foreign_keys = OFF")
}

/** A first run's bulk write: a rollback journal, each commit synced (src/db/rollback-journal.ts). */
export const useBulkWritePragmas = (db: BetterSqlite3.Database): void => {
  db.pragma("journal_mode = TRUNCATE")
  db.pragma("synchronous = FULL")
}

/** What a run's rows look like on average, measured on the database after the fresh run. */
export interface RowShape {
  readonly rows: number
  readonly emailTypes: ReadonlyArray<string>
  readonly metadataLength: number
  /** The other text columns a run writes (type, date, time, status, codes, templates, run id, timestamps). */
  readonly otherTextLength: number
}

/** Text columns spec §12.1 has the run write besides `metadata`: where a planned row's bytes go (issue 11). */
const OTHER_TEXT = `length(email_type) + length(scheduled_send_date) + length(scheduled_send_time) + length(status)
  + coalesce(length(skip_reason), 0) + coalesce(length(email_template), 0) + coalesce(length(sms_template), 0)
  + length(scheduler_run_id) + length(created_at) + length(updated_at)`

export const rowShape = (path: string, runId: string): RowShape => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const stats = db
      .prepare<[string], { rows: number; metadata: number | null; other: number | null }>(
        `SELECT count(*) AS rows, avg(length(metadata)) AS metadata, avg(${OTHER_TEXT}) AS other
          FROM email_schedules WHERE scheduler_run_id = ?`
      )
      .get(runId)
    const types = db
      .prepare<[string], { email_type: string }>(
        "SELECT DISTINCT email_type FROM email_schedules WHERE scheduler_run_id = ? ORDER BY email_type"
      )
      .all(runId)
    return {
      rows: stats?.rows ?? 0,
      emailTypes: types.map((row) => row.email_type),
      metadataLength: Math.round(stats?.metadata ?? 0),
      otherTextLength: Math.round(stats?.other ?? 0)
    }
  } finally {
    db.close()
  }
}

/**
 * The I/O floor of a run (issue 6), on the benchmark's migrated copy once its runs are done: the rows the runs wrote
 * are deleted (not timed), so `email_schedules` holds the sender's history as before the fresh run. Then, timed: read
 * every contact column the run reads, and insert as many rows as the fresh plan wrote, of the same average size, into
 * the same table (same schema and indexes), in one transaction, with the PRAGMAs of a first run's write. No scheduling
 * at all.
 * Like the run's write thread, the transaction drops the change counter's insert and update triggers and creates them
 * again before it commits (src/db/change-tracking.ts QUIET_TRIGGERS): with them, the single-row inserts each ran a
 * trigger program, and the 1 M floor took 40.3–57.2 s instead of 31.0–31.5 s (BENCHMARKS.md, session 22).
 */
export const measureFloor = (path: string, shape: RowShape): FloorResult => {
  const db = new BetterSqlite3(path)
  try {
    useRunPragmas(db)
    db.exec("DELETE FROM email_schedules WHERE scheduler_run_id IS NOT NULL")
    db.pragma("wal_checkpoint(TRUNCATE)")
    // As a first run writes (src/db/rollback-journal.ts). Under the write-ahead log this one transaction put every
    // page into a log as large as the table, and the 1 M floor took 38–54 s instead of 23–25 s (session 27).
    useBulkWritePragmas(db)
    const start = performance.now()
    const select = db.prepare(
      "SELECT id, email, current_carrier, birth_date, effective_date, state, zip_code FROM contacts ORDER BY id"
    )
    let contactsRead = 0
    let lastId = 0
    for (const row of select.iterate()) {
      contactsRead++
      if (typeof row === "object" && row !== null && "id" in row && typeof row.id === "number") lastId = row.id
    }
    const read = performance.now()
    const insert = db.prepare(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date,
        scheduled_send_time, status, skip_reason, priority, campaign_instance_id, email_template, sms_template,
        event_year, event_month, event_day, scheduler_run_id, metadata, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'pre-scheduled', NULL, 20, NULL, NULL, NULL, 2027, 3, 1, 'run_floor', ?, ?, ?)`)
    const metadata = JSON.stringify({
      planned_date: "2027-03-01",
      pad: "x".repeat(Math.max(0, shape.metadataLength - 40))
    })
    const types = shape.emailTypes.length > 0 ? shape.emailTypes : ["birthday"]
    const perContact = Math.max(1, Math.ceil(shape.rows / Math.max(1, lastId)))
    const now = "2026-11-29 00:00:00"
    db.transaction(() => {
      const restoreTriggers = dropTriggers(db, QUIET_TRIGGERS)
      for (let i = 0; i < shape.rows; i++) {
        const day = 1 + (i % 28)
        insert.run(
          1 + Math.floor(i / perContact),
          types[i % types.length],
          `2027-${String(1 + (i % 12)).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
          "08:30:00",
          metadata,
          now,
          now
        )
      }
      restoreTriggers()
    })()
    const done = performance.now()
    return {
      readSeconds: (read - start) / 1000,
      insertSeconds: (done - read) / 1000,
      seconds: (done - start) / 1000,
      contactsRead,
      rowsInserted: shape.rows
    }
  } finally {
    db.close()
  }
}
