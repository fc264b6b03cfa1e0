import BetterSqlite3 from "better-sqlite3"

/** Every column a run decides of every email row, and the enrollments' statuses, as text: what two runs must agree on. */
export const decidedContents = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const rows = db
    .prepare(
      `SELECT id, contact_id, email_type, scheduled_send_date, scheduled_send_time, status, skip_reason, priority,
        campaign_instance_id, email_template, sms_template, event_year, event_month, event_day, metadata
        FROM email_schedules ORDER BY id`
    )
    .raw()
    .all()
    .map((row) => JSON.stringify(row))
  const enrollments = db
    .prepare("SELECT id, status FROM contact_campaigns ORDER BY id")
    .raw()
    .all()
    .map((row) => JSON.stringify(row))
  db.close()
  return { rows, enrollments }
}
