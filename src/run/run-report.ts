import type { CheckpointCounts } from "../db/checkpoints.js"
import type { MalformedRow } from "../db/decode.js"
import type { IsoDate } from "../domain/dates.js"
import type { ContactCensus, PlanSummary } from "../plan/index.js"
import type { LoadParameters } from "../rules/profiles.js"
import type { SettingName } from "../settings/definitions.js"
import type { ResolvedSettings } from "../settings/resolve.js"
import type { SettingSource, Settings } from "../settings/settings.js"
import type { RunOutcome } from "./run-outcome.js"
import type { WriteCounts } from "./write.js"

export interface RunReport {
  readonly runId: string
  readonly status: "completed"
  readonly asOf: IsoDate
  readonly dryRun: boolean
  readonly ruleset: string
  readonly zipDataset: string
  readonly settings: Settings
  readonly settingSources: Readonly<Record<SettingName, SettingSource>>
  readonly settingsChanged: ResolvedSettings["changed"]
  readonly stateBuffers: Readonly<Record<string, number>>
  readonly organizationRowMissing: boolean
  readonly warnings: ReadonlyArray<string>
  readonly migrationsApplied: ReadonlyArray<string>
  readonly contacts: ContactCensus
  readonly profile: LoadParameters
  readonly plan: PlanSummary & { readonly moved: number }
  readonly writes: WriteCounts & { readonly droppedDuplicate: number; readonly contactCampaignsUpdated: number }
  /**
   * Write batches, those in which nothing had to be written (spec §12.4), and those whose stored keys the write pass
   * read again because someone else wrote after the run started (or a row of the batch could not be decoded), and
   * those the write thread committed (db/write-thread.ts).
   */
  readonly batches: {
    readonly total: number
    readonly unchanged: number
    readonly keysReadAgain: number
    readonly writtenByThread: number
  }
  /**
   * True when nothing the plan depends on changed since the last completed run of the same day: its stored plan is
   * this run's plan, and nothing was read or written but the checkpoint (issue 11).
   */
  readonly reused: boolean
  /** Pre-scheduled emails of this plan per day, today and the 59 days after (after load balancing). */
  readonly dailyVolume: ReadonlyArray<{ readonly date: IsoDate; readonly emails: number }>
  readonly checksums: { readonly config: string; readonly contacts: string; readonly plan: string }
  /**
   * Wall time per phase, in milliseconds: `load` and `plan` are the first pass (reading, then planning each contact
   * once and staging its rows), `write` the second (each batch's transaction: re-reading its keys, then writing;
   * `writeSql` is the time inside the transactions).
   */
  readonly phases: Readonly<Record<"setup" | "load" | "plan" | "balance" | "write" | "writeSql", number>>
  /**
   * Threads that planned the contacts: 2 when a second thread planned some of the batches (run/planning-thread.ts), 1
   * when the run's own thread planned them all, 0 when the plan was reused.
   */
  readonly planningThreads: number
  /** Contacts staged from their plan reuse record instead of planned (run/plan-reuse.ts). */
  readonly contactsReused: number
  /** Related rows (email rows, events, clicks, enrollments) that could not be decoded: reported, left untouched. */
  readonly malformedRows: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
}

/** The checkpoint's `details` (spec §12.5): the reasons, warnings, org row flag and profile, plus the whole report. */
export const checkpointDetails = (report: RunReport, outcome: RunOutcome) => ({
  ...report.contacts.issues,
  warnings: report.warnings,
  org_row_missing: report.organizationRowMissing,
  profile: {
    N: report.profile.contacts,
    daily_cap: report.profile.dailyCap,
    threshold: report.profile.threshold,
    ed_soft_limit: report.profile.edSoftLimit,
    W: report.profile.edSmoothingWindowDays
  },
  report,
  outcome
})

/** The counts of the checkpoint row (spec §2.10). */
export const checkpointCounts = (report: RunReport): CheckpointCounts => ({
  contacts_total: report.contacts.total,
  contacts_processed: report.contacts.total - report.contacts.malformed.count,
  contacts_invalid_email: report.contacts.issues.invalid_email.count,
  contacts_no_state: report.contacts.issues.no_state.count,
  contacts_with_warnings: report.contacts.withWarnings,
  emails_planned: report.plan.rows,
  emails_pre_scheduled: report.plan.preScheduled,
  emails_skipped: report.plan.skipped,
  rows_inserted: report.writes.inserted,
  rows_updated: report.writes.updated,
  rows_deleted: report.writes.deleted,
  rows_unchanged: report.writes.unchanged,
  rows_dropped_handled: report.writes.droppedHandled,
  rows_dropped_duplicate: report.writes.droppedDuplicate,
  contact_campaigns_updated: report.writes.contactCampaignsUpdated
})
