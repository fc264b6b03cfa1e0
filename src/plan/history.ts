import {
  dateFromDayNumber,
  dayNumber,
  type IsoDate,
  isValidCalendarDate,
  readLooseDate,
  toDayNumber
} from "../domain/dates.js"
import { type EmailScheduleRow, isFollowupType, isFrequencyExempt, isHandledStatus } from "../domain/email.js"
import { metadataObject } from "../domain/events.js"
import { Horizon } from "./horizon.js"

/**
 * The real event date stored in event_year/month/day as a day number, when all three form a calendar date (a night
 * stages millions of stored rows by their day numbers, without the date's text).
 */
export const storedEventDay = (row: EmailScheduleRow): number | undefined => {
  const { event_year: year, event_month: month, event_day: day } = row
  return year !== null && month !== null && day !== null && isValidCalendarDate(year, month, day)
    ? dayNumber(year, month, day)
    : undefined
}

/** `storedEventDay` as its `YYYY-MM-DD` text. */
export const storedEventDate = (row: EmailScheduleRow): IsoDate | undefined => {
  const day = storedEventDay(row)
  return day === undefined ? undefined : dateFromDayNumber(day)
}

/** Identities (spec §5.6): what makes two rows the same logical email across runs and dates. */
export const Identity = {
  event: (emailType: string, eventDate: IsoDate) => `${emailType}|${eventDate}`,
  campaign: (emailType: string, instanceId: number, trigger?: IsoDate) =>
    trigger === undefined ? `${emailType}|#${instanceId}` : `${emailType}|#${instanceId}|${trigger}`,
  followup: (parentId: number) => `followup|${parentId}`
} as const

export const emailKey = (emailType: string, date: IsoDate): string => `${emailType}|${date}`

/** Rows without identity columns (e.g. the predecessor's) match no identity. */
const identitiesOf = (
  row: EmailScheduleRow,
  metadata: () => Readonly<Record<string, unknown>>
): ReadonlyArray<string> => {
  const event = storedEventDate(row)
  if (row.email_type.startsWith("campaign_")) {
    if (row.campaign_instance_id === null) return []
    const byInstance = Identity.campaign(row.email_type, row.campaign_instance_id)
    return event === undefined
      ? [byInstance]
      : [byInstance, Identity.campaign(row.email_type, row.campaign_instance_id, event)]
  }
  if (isFollowupType(row.email_type)) {
    const followup = metadata().followup
    const parent =
      typeof followup === "object" && followup !== null && "parent_email_id" in followup
        ? followup.parent_email_id
        : undefined
    return typeof parent === "number" ? [Identity.followup(parent)] : []
  }
  return event === undefined ? [] : [Identity.event(row.email_type, event)]
}

/** A pre-scheduled or skipped row that a later run may keep (spec §5.6.3). */
export interface Commitment {
  readonly row: EmailScheduleRow
  /** metadata.planned_date if ≥ today, else scheduled_send_date if ≥ today. */
  readonly baseDate: IsoDate
  readonly metadata: Readonly<Record<string, unknown>>
}

/** What the existing rows of one contact tell the planner (spec §5.6, §6, §8, §9). */
export interface ContactHistory {
  readonly rows: ReadonlyArray<EmailScheduleRow>
  readonly handledIdentities: ReadonlySet<string>
  readonly handledKeys: ReadonlySet<string>
  /** Candidate commitments per identity, by ascending base date, then id. */
  readonly commitments: ReadonlyMap<string, ReadonlyArray<Commitment>>
  /** Pre-scheduled post_window rows with a base date ≥ today (spec §6 step 5). */
  readonly postWindowRows: ReadonlyArray<Commitment>
  /** Send dates (day numbers, ascending) of handled rows that count towards frequency limits (spec §9). */
  readonly countedSendDays: ReadonlyArray<number>
  /** The first day on which a base date above changes by the calendar alone (plan/horizon.ts). */
  readonly changesOn: IsoDate | undefined
}

const isIsoDate = (value: unknown): value is IsoDate => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)

export const baseDateOf = (row: EmailScheduleRow, metadata: Readonly<Record<string, unknown>>, horizon: Horizon) => {
  const planned = metadata.planned_date
  if (isIsoDate(planned) && horizon.notBefore(planned)) return planned
  return horizon.notBefore(row.scheduled_send_date) ? row.scheduled_send_date : undefined
}

/** The date an email went out (spec §8.1): the date part of actual_send_datetime when it parses. */
export const sendDateOf = (row: EmailScheduleRow): IsoDate | undefined => {
  const actual = readLooseDate(row.actual_send_datetime)
  if (actual._tag === "Valid") return actual.date
  // Written by a sender, the stored date may carry a time (its date part counts) or be no date (the row has none).
  const scheduled = readLooseDate(row.scheduled_send_date)
  return scheduled._tag === "Valid" ? scheduled.date : undefined
}

const COUNTED_STATUSES: ReadonlySet<string> = new Set(["scheduled", "processing", "sent", "delivered"])

export const buildHistory = (rows: ReadonlyArray<EmailScheduleRow>, today: IsoDate): ContactHistory => {
  const handledIdentities = new Set<string>()
  const handledKeys = new Set<string>()
  const commitments = new Map<string, Array<Commitment>>()
  const postWindowRows: Array<Commitment> = []
  const countedSendDays: Array<number> = []
  const horizon = new Horizon(today)
  for (const row of rows) {
    let parsed: Readonly<Record<string, unknown>> | undefined
    const metadata = () => {
      parsed ??= metadataObject(row.metadata)
      return parsed
    }
    if (isHandledStatus(row.status)) {
      handledKeys.add(emailKey(row.email_type, row.scheduled_send_date))
      for (const identity of identitiesOf(row, metadata)) handledIdentities.add(identity)
      if (COUNTED_STATUSES.has(row.status) && !isFrequencyExempt(row.email_type)) {
        const sent = sendDateOf(row)
        if (sent !== undefined) countedSendDays.push(toDayNumber(sent))
      }
      continue
    }
    const baseDate = baseDateOf(row, metadata(), horizon)
    if (baseDate === undefined) continue
    const commitment: Commitment = { row, baseDate, metadata: metadata() }
    if (row.email_type === "post_window" && row.status === "pre-scheduled") postWindowRows.push(commitment)
    for (const identity of identitiesOf(row, metadata)) {
      const list = commitments.get(identity) ?? []
      list.push(commitment)
      commitments.set(identity, list)
    }
  }
  const byBaseThenId = (a: Commitment, b: Commitment) =>
    a.baseDate < b.baseDate ? -1 : a.baseDate > b.baseDate ? 1 : a.row.id - b.row.id
  for (const list of commitments.values()) list.sort(byBaseThenId)
  postWindowRows.sort(byBaseThenId)
  countedSendDays.sort((a, b) => a - b)
  return {
    rows,
    handledIdentities,
    handledKeys,
    commitments,
    postWindowRows,
    countedSendDays,
    changesOn: horizon.first
  }
}

/** The commitment for an identity: the smallest base date (then lowest id) within the latest date, if any. */
export const commitmentFor = (
  history: ContactHistory,
  identity: string,
  latest: IsoDate | undefined
): Commitment | undefined =>
  history.commitments.get(identity)?.find((commitment) => latest === undefined || commitment.baseDate <= latest)
