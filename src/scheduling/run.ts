import { Cause, DateTime, Effect, Option, Random } from "effect"
import { Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import { runMigrations } from "../db/migrations.js"
import { prepareForWriting } from "../db/pragmas.js"
import { inRolledBackTransaction } from "../db/rollback.js"
import { addDays, type IsoDate, toDayNumber } from "../domain/dates.js"
import { isValidEmail } from "../domain/email-address.js"
import { ZIP_DATASET } from "../domain/states.js"
import { canonicalJson } from "../rules/canonical-json.js"
import { type LoadParameters, loadParameters } from "../rules/profiles.js"
import { RulesEngine } from "../rules/RulesEngine.js"
import { rulesetId } from "../rules/rulesets.js"
import type { SettingName } from "../settings/definitions.js"
import { settingsFromEnvironment } from "../settings/environment.js"
import { type ResolvedSettings, resolveSettings } from "../settings/resolve.js"
import type { SettingSource, Settings } from "../settings/settings.js"
import { businessToday } from "../time/BusinessClock.js"
import { balancePlan } from "./apply-balance.js"
import type { BalanceParameters } from "./balance.js"
import { campaignSetup } from "./campaigns.js"
import { Checkpoint, sha256 } from "./checkpoint.js"
import type { ContactCensus } from "./contact-census.js"
import { elapsed } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import { loadAndPlan } from "./load-plan.js"
import { planContext } from "./plan-contact.js"
import type { PlanSummary } from "./plan-summary.js"
import { sendTime } from "./records.js"
import type { WriteCounts } from "./write.js"
import { writePlan } from "./write-plan.js"

export interface RunOptions {
  /** `--as-of`: replaces today (spec §1.2). */
  readonly asOf: Option.Option<IsoDate>
  /** Compute everything and report what would change; the work runs in a transaction that is rolled back. */
  readonly dryRun: boolean
  /** Settings given as command-line flags (highest precedence, spec §13.1). */
  readonly flags: Partial<Record<SettingName, string>>
  readonly onProgress?: (phase: string, done: number, total: number) => void
  /** A run id made by the caller (the production job logs it from its first line); by default a new one. */
  readonly runId?: string
}

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
  /** Write batches, and those already stored exactly as planned, which the write pass skipped (spec §12.4). */
  readonly batches: { readonly total: number; readonly unchanged: number }
  /** Pre-scheduled emails of this plan per day, today and the 59 days after (after load balancing). */
  readonly dailyVolume: ReadonlyArray<{ readonly date: IsoDate; readonly emails: number }>
  readonly checksums: { readonly config: string; readonly contacts: string; readonly plan: string }
  /**
   * Wall time per phase, in milliseconds: `load` and `plan` are the first pass (reading, then planning), `write` the
   * second (reading and planning each batch again inside its transaction, then writing; `writeSql` of it).
   */
  readonly phases: Readonly<Record<"setup" | "load" | "plan" | "balance" | "write" | "writeSql", number>>
  /** Related rows (email rows, events, clicks, enrollments) that could not be decoded: reported, left untouched. */
  readonly malformedRows: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (spec §1.2): timestamps never influence a decision. */
const utcTimestamp = Effect.map(DateTime.now, (now) => DateTime.formatIso(now).slice(0, 19).replace("T", " "))

/** 'run_' + UTC start 'YYYYMMDDTHHMMSSZ' + '_' + 8 random lowercase hex (spec §2.10). */
export const makeRunId = Effect.gen(function* () {
  const stamp = DateTime.formatIso(yield* DateTime.now)
    .slice(0, 19)
    .replaceAll("-", "")
    .replaceAll(":", "")
  let hex = ""
  for (let i = 0; i < 8; i++) hex += (yield* Random.nextIntBetween(0, 16)).toString(16)
  return `run_${stamp}Z_${hex}`
})

const EMAIL_PAGE = 50_000

/** N of spec §10.2, counted before planning because the profile (and so the batch size) depends on it. */
/** Pre-scheduled emails per day after load balancing, today and the 59 days after (every one is a balance item). */
const dailyVolume = (days: Int32Array, today: number): Array<number> => {
  const volume = new Array<number>(60).fill(0)
  for (const day of days) if (day >= today && day < today + 60) volume[day - today]!++
  return volume
}

/** The load-balancing parameters of a run (spec §10.2). */
export const balanceParameters = (profile: LoadParameters, asOf: IsoDate): BalanceParameters => ({
  today: toDayNumber(asOf),
  dailyCap: profile.dailyCap,
  threshold: profile.threshold,
  edSoftLimit: profile.edSoftLimit,
  edSmoothingWindowDays: profile.edSmoothingWindowDays
})

export const countValidEmails = (db: Database) =>
  Effect.gen(function* () {
    let valid = 0
    let after = 0
    for (;;) {
      const page = yield* db.emailsPage(after, EMAIL_PAGE)
      for (const email of page.emails) if (email !== null && isValidEmail(email)) valid++
      if (page.lastId === undefined) return valid
      after = page.lastId
      yield* yieldToEventLoop
    }
  })

/**
 * The config checksum input (spec §12.5): the effective settings of §13 (profile values as used), the state buffers
 * and the ruleset id.
 */
const configDocument = (resolved: ResolvedSettings, profile: LoadParameters, ruleset: string) => ({
  settings: {
    ...resolved.settings,
    size_profile: profile.profile,
    daily_cap_basis_points: resolved.settings.daily_cap_basis_points ?? null,
    ed_daily_soft_limit: profile.edSoftLimit,
    ed_smoothing_window_days: profile.edSmoothingWindowDays,
    batch_size: profile.batchSize
  },
  state_buffers: resolved.stateBuffers,
  ruleset
})

/**
 * One nightly run, in the pipeline order of spec §11: settings are resolved and validated before anything is written
 * (invalid settings leave the file untouched); then migrations, the checkpoint, loading and planning every contact,
 * load balancing over the whole plan, and writing batch by batch (one transaction each) with the smart update and the
 * enrollment statuses; the checkpoint ends `completed`, or `failed` with the error.
 */
export const runOnce = Effect.fn("Scheduler.runOnce")(function* (options: RunOptions) {
  const db = yield* Database
  const resolved = yield* resolveRunSettings(options.flags)
  const asOf = yield* businessToday(resolved.settings.timezone, options.asOf)
  const time = sendTime(resolved.settings.send_time_hour, resolved.settings.send_time_minute)
  const progress = options.onProgress ?? (() => undefined)

  const work = Effect.gen(function* () {
    const rules = yield* RulesEngine
    const ruleset = rulesetId(rules.ruleset)
    const [setupMs, setup] = yield* elapsed(
      Effect.gen(function* () {
        const applied = yield* runMigrations
        const types = yield* db.campaignTypes
        const instances = yield* db.campaignInstances
        const total = yield* db.countContacts
        const profile = loadParameters(resolved.settings, yield* countValidEmails(db))
        return { applied, types, instances, total, profile }
      })
    )
    const { profile } = setup
    const campaigns = campaignSetup(setup.types.rows, setup.instances.rows, asOf)
    const runId = options.runId ?? (yield* makeRunId)
    yield* Checkpoint.start({
      runId,
      asOf,
      startedAt: yield* utcTimestamp,
      ruleset,
      zipDataset: ZIP_DATASET,
      sizeProfile: profile.profile
    })

    const body = Effect.gen(function* () {
      const context = planContext(rules, asOf, campaigns)
      const [planMs, planned] = yield* elapsed(
        loadAndPlan({
          db,
          context,
          batchSize: profile.batchSize,
          time,
          onProgress: (done) => progress("Planning", done, setup.total)
        })
      )
      const [balanceMs, balanced] = yield* elapsed(
        Effect.sync(() =>
          balancePlan(planned.items, planned.contacts, planned.types, balanceParameters(profile, asOf), rules.exclusion)
        )
      )
      const [writeMs, written] = yield* elapsed(
        writePlan({
          db,
          context,
          batches: planned.batches,
          items: planned.items,
          types: planned.types,
          balanced,
          unchangedPlanChecksum: planned.unchangedPlanChecksum,
          time,
          runId,
          now: yield* utcTimestamp,
          onProgress: (done) => progress("Writing", done, setup.total)
        })
      )
      const checksums = {
        config: sha256(canonicalJson(configDocument(resolved, profile, ruleset))),
        contacts: planned.contactsChecksum,
        plan: written.planChecksum
      }
      const { summary } = planned
      const writes = { ...written.writes, droppedHandled: written.writes.droppedHandled + planned.droppedHandled }
      const report: RunReport = {
        runId,
        status: "completed",
        asOf,
        dryRun: options.dryRun,
        ruleset,
        zipDataset: ZIP_DATASET,
        settings: resolved.settings,
        settingSources: resolved.sources,
        settingsChanged: resolved.changed,
        stateBuffers: resolved.stateBuffers,
        organizationRowMissing: resolved.organizationRowMissing,
        warnings: [...resolved.warnings, ...campaigns.warnings, ...planned.warnings],
        migrationsApplied: setup.applied.map(([id, name]) => `${String(id).padStart(4, "0")}_${name}`),
        contacts: planned.census,
        profile,
        plan: { ...summary, moved: balanced.moved },
        writes: {
          ...writes,
          droppedDuplicate: planned.droppedDuplicate,
          contactCampaignsUpdated: written.enrollmentsUpdated
        },
        batches: { total: planned.batches.length, unchanged: planned.batches.length - written.batchesWritten },
        dailyVolume: dailyVolume(balanced.days, toDayNumber(asOf)).map((emails, offset) => ({
          date: addDays(asOf, offset),
          emails
        })),
        checksums,
        phases: {
          setup: Math.round(setupMs),
          load: planned.readMs,
          plan: Math.round(planMs) - planned.readMs,
          balance: Math.round(balanceMs),
          write: Math.round(writeMs),
          writeSql: written.sqlMs
        },
        malformedRows: planned.malformedRows
      }
      const census = planned.census
      yield* Checkpoint.complete(
        runId,
        yield* utcTimestamp,
        {
          contacts_total: census.total,
          contacts_processed: census.total - census.malformed.count,
          contacts_invalid_email: census.issues.invalid_email.count,
          contacts_no_state: census.issues.no_state.count,
          contacts_with_warnings: census.withWarnings,
          emails_planned: summary.rows,
          emails_pre_scheduled: summary.preScheduled,
          emails_skipped: summary.skipped,
          rows_inserted: writes.inserted,
          rows_updated: writes.updated,
          rows_deleted: writes.deleted,
          rows_unchanged: writes.unchanged,
          rows_dropped_handled: writes.droppedHandled,
          rows_dropped_duplicate: planned.droppedDuplicate,
          contact_campaigns_updated: written.enrollmentsUpdated
        },
        checksums,
        JSON.stringify(checkpointDetails(report))
      )
      return report
    })
    // Any failure after the checkpoint row exists, interruption included, marks it failed; committed batches stay
    // (spec §12.2).
    return yield* body.pipe(
      Effect.onError((cause) =>
        Effect.flatMap(utcTimestamp, (at) => Checkpoint.fail(runId, at, failureMessage(cause))).pipe(Effect.ignore)
      )
    )
  })

  const withRules = Effect.provide(work, RulesEngine.fromSettings(resolved))
  if (options.dryRun) return yield* inRolledBackTransaction(withRules)
  yield* prepareForWriting
  return yield* withRules
})

const failureMessage = (cause: Cause.Cause<unknown>): string => {
  if (Cause.isInterruptedOnly(cause)) return "interrupted"
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}

/** The checkpoint's `details` (spec §12.5): the reasons, warnings, org row flag and profile, plus the whole report. */
export const checkpointDetails = (report: RunReport) => ({
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
  report
})

/** Flags, environment, the organization row and the state buffers, resolved and validated (spec §13). */
export const resolveRunSettings = Effect.fn("Scheduler.resolveSettings")(function* (
  flags: Partial<Record<SettingName, string>>
) {
  const db = yield* Database
  const env = yield* settingsFromEnvironment
  const organization = yield* db.organization
  const buffers = yield* db.stateBuffers
  return yield* resolveSettings({
    flags,
    env,
    organization: Option.getOrUndefined(organization.row),
    stateBuffers: buffers.rows,
    readProblems: [...organization.malformed, ...buffers.malformed].map((row) => row.message)
  })
})
