import { Schema } from "effect"
import { MalformedRow } from "../db/decode.js"

/**
 * What a completed run found and decided, as its checkpoint keeps it (`details.outcome`): enough for a later run on
 * the same day with nothing changed to report the same plan without planning it again (issue 11).
 */

const CountWithSample = Schema.Struct({ count: Schema.Int, sample: Schema.Array(Schema.Int) })
const Malformed = Schema.Struct({ count: Schema.Int, sample: Schema.Array(MalformedRow) })
const StatusTally = Schema.Struct({ preScheduled: Schema.Int, skipped: Schema.Int })

export const ContactCensusSchema = Schema.Struct({
  total: Schema.Int,
  withValidEmail: Schema.Int,
  issues: Schema.Struct({
    invalid_email: CountWithSample,
    no_state: CountWithSample,
    bad_date: CountWithSample,
    state_differs_from_zip: CountWithSample
  }),
  withWarnings: Schema.Int,
  malformed: Malformed
})

export const PlanSummarySchema = Schema.Struct({
  rows: Schema.Int,
  preScheduled: Schema.Int,
  skipped: Schema.Int,
  byType: Schema.Record({ key: Schema.String, value: StatusTally }),
  bySkipReason: Schema.Record({ key: Schema.String, value: Schema.Int }),
  byState: Schema.Record({ key: Schema.String, value: StatusTally }),
  moved: Schema.Int
})

export const RunOutcome = Schema.Struct({
  contacts: ContactCensusSchema,
  plan: PlanSummarySchema,
  /** Warnings of the data (campaigns, enrollments), not of the settings, which a later run resolves itself. */
  warnings: Schema.Array(Schema.String),
  droppedHandled: Schema.Int,
  droppedDuplicate: Schema.Int,
  dailyVolume: Schema.Array(Schema.Struct({ date: Schema.String, emails: Schema.Int })),
  contactsChecksum: Schema.String,
  planChecksum: Schema.String,
  batches: Schema.Int,
  /** N of spec §10.2 (the profile depends on it). */
  validEmails: Schema.Int,
  malformedRows: Malformed
})
export type RunOutcome = typeof RunOutcome.Type

/**
 * The planning logic's version: a stored plan is reused only by the version that made it. Change it with any change
 * to what a run plans for the same data and settings, or to what the change counter counts (2: every write but the
 * run's own, so the first run after the upgrade plans in full and sees what went uncounted before).
 */
export const SCHEDULER_VERSION = "plan-2026.12-2"

/** The outcome inside a checkpoint's `details` JSON, when it has one that decodes. */
export const decodeStoredOutcome = Schema.decodeUnknownOption(Schema.parseJson(Schema.Struct({ outcome: RunOutcome })))
