import type { IsoDate } from "../domain/dates.js"
import type { WindowHit } from "../rules/windows.js"

export type PlanStatus = "pre-scheduled" | "skipped"

/** One row of a contact's plan (spec §12.1), with what later pipeline steps need. */
export interface PlannedEmail {
  readonly contactId: number
  readonly emailType: string
  /** scheduled_send_date; before load balancing it equals metadata.planned_date. */
  readonly date: IsoDate
  readonly status: PlanStatus
  readonly skipReason: string | undefined
  readonly priority: number
  readonly campaignInstanceId: number | undefined
  readonly emailTemplate: string | undefined
  readonly smsTemplate: string | undefined
  readonly eventDate: IsoDate | undefined
  readonly latestDate: IsoDate | undefined
  readonly subjectToExclusions: boolean
  /** The explanation written as canonical JSON (spec §14.2). */
  readonly metadata: Readonly<Record<string, unknown>>
  /** The window that skipped this row, which triggers a post-window email (spec §6). */
  readonly skippedBy: WindowHit | undefined
}

/** What happened to one candidate, for `explain` (spec §5, §6). */
export interface CandidateTrace {
  readonly emailType: string
  readonly eventDate: IsoDate | undefined
  readonly idealDate: IsoDate | undefined
  readonly latestDate: IsoDate | undefined
  readonly outcome:
    | { readonly _tag: "Planned"; readonly row: PlannedEmail }
    | { readonly _tag: "Dropped"; readonly reason: string }
}
