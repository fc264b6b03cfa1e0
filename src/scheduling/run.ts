import { SqlClient } from "@effect/sql"
import { Data, DateTime, Effect, Layer, Option, Ref } from "effect"
import { Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import { DatabaseError } from "../db/errors.js"
import { runMigrations } from "../db/migrations.js"
import { prepareForWriting } from "../db/pragmas.js"
import type { IsoDate } from "../domain/dates.js"
import { ZIP_DATASET } from "../domain/states.js"
import { type LoadParameters, loadParameters } from "../rules/profiles.js"
import { RULESETS, rulesetId } from "../rules/rulesets.js"
import type { SettingName } from "../settings/definitions.js"
import { settingsFromEnvironment } from "../settings/environment.js"
import { type ResolvedSettings, resolveSettings } from "../settings/resolve.js"
import type { SettingSource, Settings } from "../settings/settings.js"
import { BusinessClock } from "../time/BusinessClock.js"
import { type ContactCensus, takeContactCensus } from "./contact-census.js"

export interface RunOptions {
  /** `--as-of`: replaces today (spec §1.2). */
  readonly asOf: Option.Option<IsoDate>
  /** Compute and report everything, write nothing: the work runs in a transaction that is rolled back. */
  readonly dryRun: boolean
  /** Settings given as command-line flags (highest precedence, spec §13.1). */
  readonly flags: Partial<Record<SettingName, string>>
  /** Contacts read per page while loading. */
  readonly pageSize?: number
  readonly onProgress?: (phase: string, done: number, total: number) => void
}

export interface RunReport {
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
  readonly campaigns: {
    readonly types: number
    readonly instances: number
    readonly malformed: ReadonlyArray<MalformedRow>
  }
  readonly emailSchedules: ReadonlyArray<{ readonly status: string; readonly count: number }>
}

/** Ends a dry run's transaction with a rollback once its report is safely stored. */
class DryRunRollback extends Data.TaggedError("DryRunRollback") {}

const DEFAULT_PAGE_SIZE = 5_000

/** Today in the organization's named zone (validated before this is called), or `--as-of` (spec §1.2). */
const businessToday = (timezone: string, asOf: Option.Option<IsoDate>) =>
  Effect.flatMap(BusinessClock, (clock) => clock.todayOr(asOf)).pipe(
    Effect.provide(BusinessClock.Default.pipe(Layer.provide(DateTime.layerCurrentZoneNamed(timezone)))),
    Effect.orDie
  )

/**
 * One run, as far as the foundation goes: settings are resolved and validated before anything is written (an
 * invalid setting fails the run and leaves the file untouched), then migrations run, every contact is loaded and
 * validated, and the counts are reported. Planning and writing emails build on this.
 */
export const runOnce = Effect.fn("Scheduler.runOnce")(function* (options: RunOptions) {
  const db = yield* Database
  const sql = yield* SqlClient.SqlClient
  const resolved = yield* resolveRunSettings(options.flags)
  const asOf = yield* businessToday(resolved.settings.timezone, options.asOf)

  const work = Effect.gen(function* () {
    const applied = yield* runMigrations
    const contacts = yield* takeContactCensus(db, options.pageSize ?? DEFAULT_PAGE_SIZE, (read) =>
      options.onProgress?.("load contacts", read, 0)
    )
    const types = yield* db.campaignTypes
    const instances = yield* db.campaignInstances
    const emailSchedules = yield* db.emailStatusCounts
    const report: RunReport = {
      asOf,
      dryRun: options.dryRun,
      ruleset: rulesetId(RULESETS[resolved.settings.ruleset]),
      zipDataset: ZIP_DATASET,
      settings: resolved.settings,
      settingSources: resolved.sources,
      settingsChanged: resolved.changed,
      stateBuffers: resolved.stateBuffers,
      organizationRowMissing: resolved.organizationRowMissing,
      warnings: resolved.warnings,
      migrationsApplied: applied.map(([id, name]) => `${String(id).padStart(4, "0")}_${name}`),
      contacts,
      profile: loadParameters(resolved.settings, contacts.withValidEmail),
      campaigns: {
        types: types.rows.length,
        instances: instances.rows.length,
        malformed: [...types.malformed, ...instances.malformed]
      },
      emailSchedules: emailSchedules.map(({ status, n }) => ({ status, count: n }))
    }
    return report
  })

  if (!options.dryRun) {
    yield* prepareForWriting
    return yield* work
  }
  // A dry run sees exactly what a real run would (migrations included), then rolls every change back.
  const stored = yield* Ref.make(Option.none<RunReport>())
  yield* sql
    .withTransaction(
      Effect.flatMap(work, (report) => Ref.set(stored, Option.some(report))).pipe(Effect.zipRight(new DryRunRollback()))
    )
    .pipe(
      Effect.catchTag("DryRunRollback", () => Effect.void),
      Effect.catchTag("SqlError", (cause) => new DatabaseError({ operation: "dry-run transaction", cause }))
    )
  return yield* Effect.flatMap(Ref.get(stored), (report) =>
    Option.match(report, {
      onSome: Effect.succeed,
      onNone: () => Effect.dieMessage("dry run finished without a report")
    })
  )
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
