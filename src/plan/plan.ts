import type { IsoDate } from "../domain/dates.js"
import type { WindowHit } from "../rules/windows.js"

export type PlanStatus = "pre-scheduled" | "skipped"

/** An email before its date is resolved: built-in (§5), campaign (§7) or follow-up (§8). */
export interface Candidate {
  readonly emailType: string
  readonly eventDate: IsoDate | undefined
  readonly idealDate: IsoDate
  readonly latestDate: IsoDate | undefined
  readonly priority: number
  readonly campaignInstanceId: number | undefined
  readonly emailTemplate: string | undefined
  readonly smsTemplate: string | undefined
  readonly subjectToExclusions: boolean
  /** What makes it "the same logical email" across runs (spec §5.6). */
  readonly identity: string
  /** An open trigger or the previous-cycle AEP: only a commitment can date it (spec §5.5). */
  readonly commitmentOnly: "open_trigger" | "previous_cycle" | undefined
  /** When the ideal date is past and nothing is committed: a catch-up before the latest date, or tomorrow (§8.3). */
  readonly late: "catch_up" | "tomorrow"
  readonly onTimeRule: "on_time" | "spread"
  /** Explanation keys of its kind: `spread`, `campaign`, `followup` (spec §14.2). */
  readonly explanation: Readonly<Record<string, unknown>>
  /** Skipped for a contact that failed underwriting because of its campaign type (spec §7.8); the type's name. */
  readonly campaignUnderwriting: string | undefined
  readonly enrollmentIds: ReadonlyArray<number>
  readonly parentId: number | undefined
}

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
  readonly enrollmentIds: ReadonlyArray<number>
  readonly parentId: number | undefined
  /** What makes it the same logical email across runs (spec §5.6); undefined for a carried row without one. */
  readonly identity: string | undefined
  /** The stored row whose date this row reuses (a commitment, or a carried post-window row), if any. */
  readonly commitmentId: number | undefined
  /** The day an earlier run stored it on, which it may keep (docs/business-rules.md §10.5), if any. */
  readonly hold?: Hold | undefined
}

/** A pre-scheduled row an earlier run stored on a still-acceptable day: balancing starts it there. */
export interface Hold {
  readonly date: IsoDate
  /** The stored `moved` explanation (as step bits and jitter), kept while the row stays on a day ≠ its planned date. */
  readonly steps: number
  readonly jitter: number
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
