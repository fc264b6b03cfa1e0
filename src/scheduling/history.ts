import { formatDate, type IsoDate, isValidCalendarDate } from "../domain/dates.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { metadataObject } from "../domain/events.js"

/** The real event date stored in event_year/month/day, when all three form a calendar date. */
export const storedEventDate = (row: EmailScheduleRow): IsoDate | undefined => {
  const { event_year: year, event_month: month, event_day: day } = row
  return year !== null && month !== null && day !== null && isValidCalendarDate(year, month, day)
    ? formatDate({ year, month, day })
    : undefined
}

/** Identity of an anniversary-like email (birthday, effective_date, aep, post_window): type and event date (§5.6). */
export const eventIdentity = (emailType: string, eventDate: IsoDate): string => `${emailType}|${eventDate}`

export const emailKey = (emailType: string, date: IsoDate): string => `${emailType}|${date}`

/** A pre-scheduled or skipped row that a later run may keep (spec §5.6.3). */
export interface Commitment {
  readonly row: EmailScheduleRow
  /** metadata.planned_date if ≥ today, else scheduled_send_date if ≥ today. */
  readonly baseDate: IsoDate
  readonly metadata: Readonly<Record<string, unknown>>
}

/** What the existing rows of one contact tell the planner (spec §5.6). */
export interface ContactHistory {
  readonly handledIdentities: ReadonlySet<string>
  readonly handledKeys: ReadonlySet<string>
  /** Candidate commitments per identity, by ascending base date, then id. */
  readonly commitments: ReadonlyMap<string, ReadonlyArray<Commitment>>
  /** Pre-scheduled post_window rows with a base date ≥ today (spec §6 step 5). */
  readonly postWindowRows: ReadonlyArray<Commitment>
}

const isIsoDate = (value: unknown): value is IsoDate => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)

export const baseDateOf = (row: EmailScheduleRow, metadata: Readonly<Record<string, unknown>>, today: IsoDate) => {
  const planned = metadata.planned_date
  if (isIsoDate(planned) && planned >= today) return planned
  return row.scheduled_send_date >= today ? row.scheduled_send_date : undefined
}

export const buildHistory = (rows: ReadonlyArray<EmailScheduleRow>, today: IsoDate): ContactHistory => {
  const handledIdentities = new Set<string>()
  const handledKeys = new Set<string>()
  const commitments = new Map<string, Array<Commitment>>()
  const postWindowRows: Array<Commitment> = []
  for (const row of rows) {
    const event = storedEventDate(row)
    const identity = event === undefined ? undefined : eventIdentity(row.email_type, event)
    if (isHandledStatus(row.status)) {
      handledKeys.add(emailKey(row.email_type, row.scheduled_send_date))
      if (identity !== undefined) handledIdentities.add(identity)
      continue
    }
    const metadata = metadataObject(row.metadata)
    const baseDate = baseDateOf(row, metadata, today)
    if (baseDate === undefined) continue
    const commitment: Commitment = { row, baseDate, metadata }
    if (row.email_type === "post_window" && row.status === "pre-scheduled") postWindowRows.push(commitment)
    if (identity === undefined) continue
    const list = commitments.get(identity) ?? []
    list.push(commitment)
    commitments.set(identity, list)
  }
  const byBaseThenId = (a: Commitment, b: Commitment) =>
    a.baseDate < b.baseDate ? -1 : a.baseDate > b.baseDate ? 1 : a.row.id - b.row.id
  for (const list of commitments.values()) list.sort(byBaseThenId)
  postWindowRows.sort(byBaseThenId)
  return { handledIdentities, handledKeys, commitments, postWindowRows }
}

/** The commitment for an identity: the smallest base date (then lowest id) within the latest date, if any. */
export const commitmentFor = (
  history: ContactHistory,
  identity: string,
  latest: IsoDate | undefined
): Commitment | undefined =>
  history.commitments.get(identity)?.find((commitment) => latest === undefined || commitment.baseDate <= latest)
