import { Cause, Clock, DateTime, Effect, Option, Random, Ref, Stream } from "effect"
import type { BalanceParameters } from "../balance/index.js"
import { balancePlan, NO_HELD_DAY } from "../balance/index.js"
import { withBackgroundCheckpoints } from "../db/background-checkpoints.js"
import { changeVersion, forgetSeenChanges } from "../db/change-tracking.js"
import { Checkpoint } from "../db/checkpoints.js"
import { Database } from "../db/Database.js"
import { restoreDeferredIndexes, withIndexesDeferred } from "../db/deferred-indexes.js"
import { DatabaseError, isDamagedFile } from "../db/errors.js"
import { mainDatabaseFile } from "../db/introspect.js"
import { runMigrations } from "../db/migrations.js"
import { dropReuseRecords, storedReuseContext, storeReuseRecords } from "../db/plan-reuse-records.js"
import { prepareForWriting, skipSyncing, withCacheAtMost } from "../db/pragmas.js"
import { ensureRecognised } from "../db/recognise.js"
import { inRolledBackTransaction } from "../db/rollback.js"
import { withRollbackJournal } from "../db/rollback-journal.js"
import { FIRST_RUN_CACHE_KIB, startWriteThread, type WriteThread } from "../db/write-thread.js"
import { addDays, businessDateProblem, type IsoDate, toDayNumber } from "../domain/dates.js"
import { isValidEmail } from "../domain/email-address.js"
import { sortedHas } from "../domain/sorted-search.js"
import { ZIP_DATASET } from "../domain/states.js"
import { campaignSetup, planContext, sendTime, withMalformedContacts } from "../plan/index.js"
import { canonicalJson } from "../rules/canonical-json.js"
import { type LoadParameters, loadParameters } from "../rules/profiles.js"
import { RulesEngine } from "../rules/RulesEngine.js"
import { rulesetId } from "../rules/rulesets.js"
import type { SettingName } from "../settings/definitions.js"
import { settingsFromEnvironment } from "../settings/environment.js"
import { type ResolvedSettings, resolveSettings } from "../settings/resolve.js"
import { SettingsInvalid } from "../settings/settings.js"
import { businessToday } from "../time/BusinessClock.js"
import { sha256 } from "./checksums.js"
import { elapsed } from "./elapsed.js"
import { keysetPages } from "./keyset-pages.js"
import { batchRanges, loadAndPlan } from "./load-plan.js"
import { planBatch } from "./plan-batch.js"
import { REUSE_RECORD_FORMAT, recordsIn } from "./plan-reuse.js"
import { PLANNING_SCRIPT, planningScriptExists, startPlanningThread } from "./planning-thread.js"
import { decodeStoredOutcome, type RunOutcome, SCHEDULER_VERSION } from "./run-outcome.js"
import { checkpointCounts, checkpointDetails, type RunReport } from "./run-report.js"

export type { RunReport } from "./run-report.js"

import { stagingFile } from "./staging.js"
import { NO_WRITES } from "./write.js"
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
  /**
   * The file is a private copy thrown away if the machine fails (the production job's pull): writes skip `fsync`
   * (db/pragmas.ts `skipSyncing`). Never for a file that is scheduled in place.
   */
  readonly disposableFile?: boolean
  /**
   * The script of the thread that plans batches on the second core (run/plan-worker.ts, built beside this
   * module); `false` plans on this thread alone. A dry run, a database in memory, and a build without the script
   * plan on this thread.
   */
  readonly planningThread?: URL | false
  /**
   * `false`: the run's thread writes every batch itself. By default the batches are written by a thread of their
   * own (db/write-thread.ts), except in a dry run or a database in memory.
   */
  readonly writeThread?: boolean
  /**
   * `false`: every contact is planned, none staged from its plan reuse record (run/plan-reuse.ts); the records are
   * made anew. By default a contact with a valid record is not planned again.
   */
  readonly reusePlans?: boolean
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
/** Pass 1's page cache (db/pragmas.ts `withCacheAtMost`): it reads each page about once. */
const PASS_ONE_CACHE_KIB = 8192

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

/** The contacts' ids and emails, a keyset page at a time. */
const emailPages = (db: Database) => keysetPages((after) => db.emailsPage(after, EMAIL_PAGE))

const countValid = (emails: ReadonlyArray<string | null>): number => {
  let valid = 0
  for (const email of emails) if (email !== null && isValidEmail(email)) valid++
  return valid
}

/** N of spec §10.2 alone (the reference pipeline's count; the run counts it while it scans the ids). */
export const countValidEmails = (db: Database) =>
  Stream.runFold(emailPages(db), 0, (valid, page) => valid + countValid(page.emails))

/**
 * Every contact row's id in ascending order, and N of spec §10.2 (contacts with a valid email), counted before
 * planning because the profile (and so the batch size) depends on it; the ids make the batches' ranges.
 */
const scanContacts = (db: Database) =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    const ids: Array<number> = []
    let validEmails = 0
    yield* Stream.runForEach(emailPages(db), (page) =>
      Effect.sync(() => {
        validEmails += countValid(page.emails)
        for (const id of page.ids) ids.push(id)
      })
    )
    return { ids, validEmails, scanMs: (yield* Clock.currentTimeMillis) - started }
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

/** What a run's checkpoint records when it completes. */
const completeCheckpoint = (report: RunReport, outcome: RunOutcome, dataVersion: number | undefined) =>
  Effect.flatMap(utcTimestamp, (finishedAt) =>
    Checkpoint.complete(report.runId, finishedAt, checkpointCounts(report), report.checksums, {
      details: JSON.stringify(checkpointDetails(report, outcome)),
      dataVersion,
      schedulerVersion: SCHEDULER_VERSION
    })
  )

/**
 * One nightly run, in the pipeline order of spec §11: settings are resolved and validated before anything is written
 * (invalid settings leave the file untouched); then migrations, the checkpoint, loading and planning every contact,
 * load balancing over the whole plan, and writing batch by batch (one transaction each) with the smart update and the
 * enrollment statuses; the checkpoint ends `completed`, or `failed` with the error. When nothing the plan depends on
 * changed since the last completed run of the same day, that run's plan is this one's (spec §12.4): the run only
 * records its checkpoint (issue 11).
 */
export const runOnce = Effect.fn("Scheduler.runOnce")(function* (options: RunOptions) {
  const db = yield* Database
  const resolved = yield* resolveRunSettings(options.flags)
  const rules = (yield* RulesEngine).rulesFor(resolved)
  const asOf = yield* businessToday(resolved.settings.timezone, options.asOf)
  // Before anything is written: a date outside the range is a mistake, not a night (a year-9999 run cannot plan).
  const dateProblem = businessDateProblem(asOf)
  if (dateProblem !== undefined) return yield* new SettingsInvalid({ problems: [`the business date ${dateProblem}`] })
  const time = sendTime(resolved.settings.send_time_hour, resolved.settings.send_time_minute)
  const progress = options.onProgress ?? (() => undefined)

  const work = Effect.gen(function* () {
    const ruleset = rulesetId(rules.ruleset)
    const started = yield* Clock.currentTimeMillis
    const applied = yield* runMigrations
    const migrationsApplied = applied.map(([id, name]) => `${String(id).padStart(4, "0")}_${name}`)
    const dataVersion = yield* changeVersion
    const runId = options.runId ?? (yield* makeRunId)
    const startedAt = yield* utcTimestamp
    const startCheckpoint = (profile: LoadParameters) =>
      Checkpoint.start({ runId, asOf, startedAt, ruleset, zipDataset: ZIP_DATASET, sizeProfile: profile.profile })
    const configChecksum = (profile: LoadParameters) =>
      sha256(canonicalJson(configDocument(resolved, profile, ruleset)))
    const settingsPart = {
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
      migrationsApplied
    } as const

    // Spec §12.4, without reading the plan: the last completed run was today's, with these settings, and nothing it
    // depends on changed since (the change counter it recorded is the counter now).
    const previous = yield* Checkpoint.latest
    const reusable = Option.flatMap(previous, (last) =>
      dataVersion !== undefined &&
      last.status === "completed" &&
      last.as_of_date === asOf &&
      last.data_version === dataVersion &&
      last.scheduler_version === SCHEDULER_VERSION &&
      last.ruleset === ruleset &&
      last.zip_dataset === ZIP_DATASET &&
      last.details !== null
        ? Option.filter(
            Option.map(decodeStoredOutcome(last.details), ({ outcome }) => ({
              outcome,
              profile: loadParameters(resolved.settings, outcome.validEmails)
            })),
            ({ profile }) => configChecksum(profile) === last.config_checksum
          )
        : Option.none()
    )
    if (Option.isSome(reusable)) {
      const { outcome, profile } = reusable.value
      yield* startCheckpoint(profile)
      const setupMs = (yield* Clock.currentTimeMillis) - started
      const report: RunReport = {
        ...settingsPart,
        warnings: [...resolved.warnings, ...outcome.warnings],
        contacts: outcome.contacts,
        profile,
        plan: outcome.plan,
        writes: {
          ...NO_WRITES,
          unchanged: outcome.plan.rows,
          droppedHandled: outcome.droppedHandled,
          droppedDuplicate: outcome.droppedDuplicate,
          contactCampaignsUpdated: 0
        },
        batches: { total: outcome.batches, unchanged: outcome.batches, keysReadAgain: 0, writtenByThread: 0 },
        reused: true,
        dailyVolume: outcome.dailyVolume,
        checksums: { config: configChecksum(profile), contacts: outcome.contactsChecksum, plan: outcome.planChecksum },
        phases: { setup: setupMs, load: 0, plan: 0, balance: 0, write: 0, writeSql: 0 },
        planningThreads: 0,
        contactsReused: 0,
        malformedRows: outcome.malformedRows
      }
      const after = yield* changeVersion
      yield* completeCheckpoint(report, outcome, after === dataVersion ? dataVersion : undefined)
      return report
    }

    const [setupMs, setup] = yield* elapsed(
      Effect.gen(function* () {
        const types = yield* db.campaignTypes
        const instances = yield* db.campaignInstances
        const scan = yield* scanContacts(db)
        const outOfRange = yield* db.contactsOutOfRange
        const profile = loadParameters(resolved.settings, scan.validEmails)
        return { types, instances, ...scan, outOfRange, profile, ranges: batchRanges(scan.ids, profile.batchSize) }
      })
    )
    const { profile } = setup
    const total = setup.ids.length
    const campaigns = campaignSetup(setup.types.rows, setup.instances.rows, asOf, {
      types: setup.types.malformed,
      instances: setup.instances.malformed
    })
    // Plan reuse (run/plan-reuse.ts) needs the records' context to be tonight's, and every change trigger in place.
    const reuseContext = sha256(
      canonicalJson({
        settings: resolved.settings,
        stateBuffers: resolved.stateBuffers,
        ruleset,
        zipDataset: ZIP_DATASET,
        scheduler: SCHEDULER_VERSION,
        reuseRecords: REUSE_RECORD_FORMAT,
        campaignTypes: setup.types.rows,
        campaignInstances: setup.instances.rows,
        unreadable: [setup.types.malformed.length, setup.instances.malformed.length]
      })
    )
    const recordsValid = dataVersion !== undefined && (yield* storedReuseContext) === reuseContext
    const reuse = recordsValid && options.reusePlans !== false
    // The checkpoint row is the run's first write, made once everything has been read and planned: a file whose
    // damage the reading meets gets no write at all (issue 15; docs/business-rules.md §12.5).
    const checkpointStarted = yield* Ref.make(false)

    const body = Effect.gen(function* () {
      const context = planContext(rules, asOf, campaigns)
      const staging = yield* stagingFile
      const script = options.planningThread ?? PLANNING_SCRIPT
      const path = yield* mainDatabaseFile.pipe(
        Effect.mapError((cause) => new DatabaseError({ operation: "read the database's file name", cause }))
      )
      // The other thread reads what is committed (a dry run's migrations are not); it ends with pass 1, its memory
      // given back before balancing.
      const useThread =
        script !== false && !options.dryRun && path !== "" && setup.ranges.length > 1 && planningScriptExists(script)
      const [planMs, [planned, planningThreads]] = yield* elapsed(
        Effect.scoped(
          Effect.gen(function* () {
            const thread = useThread
              ? yield* startPlanningThread(script, {
                  path,
                  today: asOf,
                  settings: context.settings,
                  exclusion: context.exclusion,
                  campaignTypes: setup.types.rows,
                  campaignInstances: setup.instances.rows,
                  unreadableTypes: setup.types.malformed,
                  unreadableInstances: setup.instances.malformed,
                  time,
                  stagingDescriptor: staging.threadDescriptor,
                  reuse
                }).pipe(
                  // A thread that cannot even start leaves the planning to this one.
                  Effect.catchAll((error) =>
                    Effect.as(
                      Effect.logWarning(
                        "The second planning thread could not start; the run's thread plans alone."
                      ).pipe(Effect.annotateLogs({ cause: error.message })),
                      undefined
                    )
                  )
                )
              : undefined
            const planned = yield* loadAndPlan({
              ranges: setup.ranges,
              plan: (range, staged) => planBatch(db, range, context, time, staged, reuse),
              thread,
              staging,
              onProgress: (done) => progress("Planning", done, total)
            })
            return [planned, planned.threadBatches > 0 ? 2 : 1] as const
          })
        ).pipe(withCacheAtMost(PASS_ONE_CACHE_KIB))
      )
      const [balanceMs, balanced] = yield* elapsed(
        Effect.sync(() =>
          balancePlan(planned.items, planned.contacts, planned.types, balanceParameters(profile, asOf), rules.exclusion)
        )
      )
      const moved = movedContacts(planned.items, balanced.days)
      const itemKeys = planned.items.releaseBalancingColumns()
      planned.contacts.release()
      yield* startCheckpoint(profile)
      yield* Ref.set(checkpointStarted, true)
      // Before any row is written: the records that no longer hold go, those of the contacts this run planned again
      // and of the contacts whose rows balancing moved (a run that fails from here leaves them without one).
      if (!options.dryRun) {
        const stale: Array<number> = []
        if (reuse) {
          for (const id of moved) stale.push(id)
          for (const ids of planned.staleRecords) for (const id of ids) stale.push(id)
        }
        yield* db.withTransaction(dropReuseRecords(reuseContext, reuse, stale))
      }
      // A run killed while the indexes were deferred left them recorded: they are built before anything else.
      const indexProgress = (done: number, count: number) => progress("Building indexes", done, count)
      yield* restoreDeferredIndexes(indexProgress)
      const now = yield* utcTimestamp
      const write = (betweenBatches: Effect.Effect<void>, logFull: () => boolean, thread?: WriteThread) =>
        writePlan({
          db,
          context,
          batches: planned.batches,
          items: itemKeys,
          types: planned.types,
          balanced,
          staging,
          time,
          runId,
          now,
          startVersion: dataVersion,
          onProgress: (done) => progress("Writing", done, total),
          betweenBatches,
          logFull,
          thread
        })
      // The batches are written by a thread of their own while this one prepares the next (db/write-thread.ts); it
      // needs the file, which a dry run's rolled-back transaction holds. A first run's gets a larger page cache.
      const threadedWrite = (betweenBatches: Effect.Effect<void>, logFull: () => boolean, cacheKib?: number) =>
        options.writeThread === false || path === ""
          ? write(betweenBatches, logFull)
          : Effect.scoped(
              Effect.flatMap(
                startWriteThread({ path, runId, now, ...(cacheKib === undefined ? {} : { cacheKib }) }),
                (thread) => write(betweenBatches, logFull, thread)
              )
            )
      const [writeMs, written] = yield* elapsed(
        options.dryRun
          ? write(Effect.void, () => false)
          : isBulkWrite(planned)
            ? withRollbackJournal(
                withBackgroundCheckpoints((betweenBatches, logFull) =>
                  withIndexesDeferred(
                    threadedWrite(betweenBatches, logFull, FIRST_RUN_CACHE_KIB),
                    indexProgress,
                    betweenBatches
                  )
                )
              )
            : withBackgroundCheckpoints(threadedWrite)
      )
      // After the last batch: the records of the contacts whose stored rows were their plan and stay so, a batch's at a
      // time from the staging file (a copy each: the file's read buffer is reused, and records are inserted in chunks).
      if (!options.dryRun) {
        const madeOn = toDayNumber(asOf)
        const kept = function* (bytes: Uint8Array) {
          for (const record of recordsIn(bytes)) if (!sortedHas(moved, record.contactId)) yield record
        }
        yield* db.withTransaction(
          Effect.forEach(
            planned.reuseRecords,
            (extent) =>
              Effect.flatMap(staging.read(extent), (bytes) => storeReuseRecords(madeOn, kept(new Uint8Array(bytes)))),
            { discard: true }
          )
        )
      }
      const { summary } = planned
      const volume = dailyVolume(balanced.days, toDayNumber(asOf)).map((emails, offset) => ({
        date: addDays(asOf, offset),
        emails
      }))
      const outcome: RunOutcome = {
        contacts: withMalformedContacts(planned.census, setup.outOfRange),
        plan: { ...summary, moved: balanced.moved },
        warnings: [...campaigns.warnings, ...planned.warnings],
        droppedHandled: planned.droppedHandled,
        droppedDuplicate: planned.droppedDuplicate,
        dailyVolume: volume,
        contactsChecksum: planned.contactsChecksum,
        planChecksum: written.planChecksum,
        batches: planned.batches.length,
        validEmails: setup.validEmails,
        malformedRows: planned.malformedRows
      }
      const report: RunReport = {
        ...settingsPart,
        warnings: [...resolved.warnings, ...outcome.warnings],
        contacts: outcome.contacts,
        profile,
        plan: outcome.plan,
        writes: {
          ...written.writes,
          droppedHandled: written.writes.droppedHandled + planned.droppedHandled,
          droppedDuplicate: planned.droppedDuplicate,
          contactCampaignsUpdated: written.enrollmentsUpdated
        },
        batches: {
          total: planned.batches.length,
          unchanged: planned.batches.length - written.batchesWritten,
          keysReadAgain: written.keysReadAgain,
          writtenByThread: written.writtenByThread
        },
        reused: false,
        dailyVolume: volume,
        checksums: { config: configChecksum(profile), contacts: planned.contactsChecksum, plan: written.planChecksum },
        phases: {
          setup: Math.round(setupMs),
          load: Math.round(setup.scanMs),
          plan: Math.round(planMs),
          balance: Math.round(balanceMs),
          write: Math.round(writeMs),
          writeSql: written.sqlMs
        },
        planningThreads,
        contactsReused: planned.reused,
        malformedRows: planned.malformedRows
      }
      // The counter now is the counter at the start plus the run's own counted writes, unless someone else wrote
      // meanwhile: then nothing is recorded, and the next run plans in full.
      const after = yield* changeVersion
      const clean = dataVersion !== undefined && after === dataVersion + written.ownChanges
      // Every contact was planned with the changes recorded before the start in view.
      if (dataVersion !== undefined) yield* forgetSeenChanges(dataVersion)
      yield* completeCheckpoint(report, outcome, clean ? after : undefined)
      return report
    })
    // Any failure, interruption included, is recorded as a failed checkpoint (started first if planning failed);
    // committed batches stay (spec §12.2). A damaged file gets no further write: a checkpoint already started stays
    // `started` (the next completed run abandons it).
    const recordFailure = <E>(cause: Cause.Cause<E>) =>
      Effect.gen(function* () {
        if (isDamagedFile(Cause.squash(cause))) return
        if (!(yield* Ref.get(checkpointStarted))) yield* startCheckpoint(profile)
        yield* Checkpoint.fail(runId, yield* utcTimestamp, failureMessage(cause))
      }).pipe(Effect.ignore)
    return yield* body.pipe(Effect.scoped, Effect.onError(recordFailure))
  })

  // Another application's file is refused before anything (the journal mode included) is written to it.
  yield* ensureRecognised
  if (options.dryRun) return yield* inRolledBackTransaction(work)
  yield* prepareForWriting
  if (options.disposableFile === true) yield* skipSyncing
  return yield* work
})

/**
 * The contacts of the balance items balancing moved off the day they started on (their rows are written), ascending:
 * items come in contact order. Compact, because a first run moves rows of most contacts.
 */
const movedContacts = (
  items: {
    readonly length: number
    readonly contactId: Int32Array
    readonly plannedDay: Int32Array
    readonly heldDay: Int32Array
  },
  days: Int32Array
): Int32Array => {
  const isMoved = (i: number): boolean => {
    const held = items.heldDay[i]!
    return days[i] !== (held === NO_HELD_DAY ? items.plannedDay[i] : held)
  }
  const eachMovedContact = (visit: (contactId: number) => void): void => {
    for (let i = 0, last = Number.NaN; i < items.length; i++) {
      if (isMoved(i) && items.contactId[i] !== last) {
        last = items.contactId[i]!
        visit(last)
      }
    }
  }
  // Counted first, then filled: no transient array while balancing's columns are still held.
  let count = 0
  eachMovedContact(() => count++)
  const moved = new Int32Array(count)
  let at = 0
  eachMovedContact((contactId) => {
    moved[at++] = contactId
  })
  return moved
}

/**
 * A write that inserts at least as many rows as the table holds for the run's contacts (a first run, or an upgraded
 * predecessor database) builds the secondary indexes once afterwards instead of keeping them in every batch, and
 * writes with a rollback journal when it has the file to itself (db/rollback-journal.ts).
 */
const isBulkWrite = (planned: { readonly newRows: number; readonly storedRows: number }): boolean =>
  planned.newRows > 0 && planned.newRows >= planned.storedRows

const failureMessage = (cause: Cause.Cause<unknown>): string => {
  if (Cause.isInterruptedOnly(cause)) return "interrupted"
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}

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
