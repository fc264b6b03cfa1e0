import { rmSync } from "node:fs"
import BetterSqlite3 from "better-sqlite3"

/**
 * Plan stability (issue 11): the future pre-scheduled rows before a night's run, as (logical email, date), and how many
 * of them the run moved to another date or removed. A logical email is its contact, type, event date and campaign
 * instance (follow-ups of one parent share these, which only ever makes the count larger). The rows are kept in a
 * side database file next to the organization's, so millions of them never sit in memory.
 */
export const snapshotFutureRows = (path: string, from: string): number => {
  const side = `${path}.future`
  rmSync(side, { force: true })
  const db = new BetterSqlite3(path)
  try {
    db.prepare("ATTACH DATABASE ? AS side").run(side)
    db.prepare(
      `CREATE TABLE side.future AS SELECT contact_id, email_type, event_year, event_month, event_day,
          campaign_instance_id, scheduled_send_date
        FROM email_schedules WHERE status = 'pre-scheduled' AND scheduled_send_date >= ?`
    ).run(from)
    const count = db.prepare("SELECT count(*) FROM side.future").pluck().get()
    return typeof count === "number" ? count : 0
  } finally {
    db.close()
  }
}

/** How many of the snapshot's rows no longer stand on the same date as the same logical email. */
export const changedSinceSnapshot = (path: string) => {
  const side = `${path}.future`
  const db = new BetterSqlite3(path)
  try {
    db.prepare("ATTACH DATABASE ? AS side").run(side)
    const rows = db.prepare("SELECT count(*) FROM side.future").pluck().get()
    const changed = db
      .prepare(
        `SELECT count(*) FROM side.future f WHERE NOT EXISTS (SELECT 1 FROM email_schedules e
          WHERE e.contact_id = f.contact_id AND e.email_type = f.email_type
            AND e.scheduled_send_date = f.scheduled_send_date AND e.status = 'pre-scheduled'
            AND e.event_year IS f.event_year AND e.event_month IS f.event_month AND e.event_day IS f.event_day
            AND e.campaign_instance_id IS f.campaign_instance_id)`
      )
      .pluck()
      .get()
    const total = typeof rows === "number" ? rows : 0
    const moved = typeof changed === "number" ? changed : 0
    return { rows: total, changed: moved, share: total === 0 ? 0 : moved / total }
  } finally {
    db.close()
    rmSync(side, { force: true })
  }
}

/** The sender of a night: every pre-scheduled row due `today` is sent at the send time. */
export const sendDue = (path: string, today: string): number => {
  const db = new BetterSqlite3(path)
  try {
    return db
      .prepare(
        `UPDATE email_schedules SET status = 'sent', actual_send_datetime = ? || ' ' || scheduled_send_time
          WHERE status = 'pre-scheduled' AND scheduled_send_date = ?`
      )
      .run(today, today).changes
  } finally {
    db.close()
  }
}

/** The database file's size once its write-ahead log is folded in. */
export const fileBytes = (path: string): number => {
  const db = new BetterSqlite3(path)
  try {
    db.pragma("wal_checkpoint(TRUNCATE)")
    const pages = db.pragma("page_count", { simple: true })
    const size = db.pragma("page_size", { simple: true })
    return typeof pages === "number" && typeof size === "number" ? pages * size : 0
  } finally {
    db.close()
  }
}
