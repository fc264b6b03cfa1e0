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

/** The sender on two copies of one organization, which must send the same rows: returns how many each sent. */
export const sendDueOnBoth = (first: string, second: string, today: string): number => {
  const sent = sendDue(first, today)
  const other = sendDue(second, today)
  if (other !== sent) throw new Error(`the copies sent ${sent} and ${other} rows due on ${today}`)
  return sent
}
