import type { IsoDate } from "../domain/dates.js"
import { canonicalJson } from "../rules/canonical-json.js"
import type { PlannedEmail, PlanStatus } from "./plan.js"

/** A planned row in the exact shape it is written (spec §12.1): compact, with its metadata already canonical. */
export interface PlanRecord {
  readonly contactId: number
  readonly emailType: string
  readonly date: IsoDate
  readonly time: string
  readonly status: PlanStatus
  readonly skipReason: string | null
  readonly priority: number
  readonly campaignInstanceId: number | null
  readonly emailTemplate: string | null
  readonly smsTemplate: string | null
  readonly eventYear: number | null
  readonly eventMonth: number | null
  readonly eventDay: number | null
  readonly metadata: string
}

/** `HH:MM:SS` of the organization's send time (spec §5.7). */
export const sendTime = (hour: number, minute: number): string =>
  `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00`

export const toRecord = (row: PlannedEmail, time: string): PlanRecord => ({
  contactId: row.contactId,
  emailType: row.emailType,
  date: row.date,
  time,
  status: row.status,
  skipReason: row.skipReason ?? null,
  priority: row.priority,
  campaignInstanceId: row.campaignInstanceId ?? null,
  emailTemplate: row.emailTemplate ?? null,
  smsTemplate: row.smsTemplate ?? null,
  eventYear: row.eventDate === undefined ? null : Number(row.eventDate.slice(0, 4)),
  eventMonth: row.eventDate === undefined ? null : Number(row.eventDate.slice(5, 7)),
  eventDay: row.eventDate === undefined ? null : Number(row.eventDate.slice(8, 10)),
  metadata: canonicalJson(row.metadata)
})
