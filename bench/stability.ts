import BetterSqlite3 from "better-sqlite3"

/**
 * Plan stability (issue 11): the future pre-scheduled rows before a night's run, as (logical email, date) tuples, and
 * how many of them the run moved to another date or removed. A logical email is its contact, type, event date and
 * campaign instance (follow-ups of one parent share these, which only ever makes the count larger).
 */
export const futureRows = (path: string, from: string): Set<string> => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const rows = db
      .prepare(
        `SELECT contact_id || '|' || email_type || '|' || ifnull(event_year, '') || '-' || ifnull(event_month, '') || '-' ||
            ifnull(event_day, '') || '|' || ifnull(campaign_instance_id, '') || '|' || scheduled_send_date AS tuple
          FROM email_schedules WHERE status = 'pre-scheduled' AND scheduled_send_date >= ?`
      )
      .pluck()
      .all(from)
    return new Set(rows.filter((row): row is string => typeof row === "string"))
  } finally {
    db.close()
  }
}

export const changedShare = (before: ReadonlySet<string>, after: ReadonlySet<string>) => {
  let changed = 0
  for (const tuple of before) if (!after.has(tuple)) changed++
  return { rows: before.size, changed, share: before.size === 0 ? 0 : changed / before.size }
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
