import BetterSqlite3 from "better-sqlite3"

/** The sender, on a database file: what is due `today` becomes sent at the default send time. Returns how many. */
export const sendDue = (path: string, today: string): number => {
  const db = new BetterSqlite3(path)
  const sent = db
    .prepare(
      `UPDATE email_schedules SET status = 'sent', actual_send_datetime = ? || ' 08:30:00'
        WHERE status = 'pre-scheduled' AND scheduled_send_date = ?`
    )
    .run(today, today).changes
  db.close()
  return sent
}
