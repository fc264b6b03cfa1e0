import { DateTime, Effect, Option, Random } from "effect"
import { Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import { runMigrations } from "../db/migrations.js"
import { prepareForWriting } from "../db/pragmas.js"
import { inRolledBackTransaction } from "../db/rollback.js"
import { validateContact } from "../domain/contact.js"
import type { IsoDate } from "../domain/dates.js"
import { isValidEmail } from "../domain/email-address.js"
import { type ContactEventRow, failedUnderwriting } from "../domain/events.js"
import { ZIP_DATASET } from "../domain/states.js"
import { type LoadParameters, loadParameters } from "../rules/profiles.js"
import { RulesEngine } from "../rules/RulesEngine.js"
import { rulesetId } from "../rules/rulesets.js"
import type { SettingName } from "../settings/definitions.js"
import { settingsFromEnvironment } from "../settings/environment.js"
import { type ResolvedSettings, resolveSettings } from "../settings/resolve.js"
import type { SettingSource, Settings } from "../settings/settings.js"
import { businessToday } from "../time/BusinessClock.js"
import { type ContactCensus, makeCensus } from "./contact-census.js"
import { buildHistory } from "./history.js"
import { planContact, planContext } from "./plan-contact.js"
import { makePlanSummary, type PlanSummary } from "./plan-summary.js"
import { type PlanRecord, sendTime, toRecord } from "./records.js"
import { addCounts, NO_WRITES, type WriteCounts, writeBatch } from "./write.js"

export interface RunOptions {
  /** `--as-of`: replaces today (spec §1.2). */
  readonly asOf: Option.Option<IsoDate>
  /** Compute everything and report what would change; the work runs in a transaction that is rolled back. */
  readonly dryRun: boolean
  /** Settings given as command-line flags (highest precedence, spec §13.1). */
  readonly flags: Partial<Record<SettingName, string>>
  readonly onProgress?: (phase: string, done: number, total: number) => void
}

export interface RunReport {
  readonly runId: string
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
  readonly plan: PlanSummary
  readonly writes: WriteCounts & { readonly droppedDuplicate: number }
  /** Related rows (email rows, events) that could not be decoded: reported, left untouched. */
  readonly malformedRows: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (spec §1.2): timestamps never influence a decision. */
const utcTimestamp = Effect.map(DateTime.now, (now) => DateTime.formatIso(now).slice(0, 19).replace("T", " "))

/** 'run_' + UTC start 'YYYYMMDDTHHMMSSZ' + '_' + 8 random lowercase hex (spec §2.10). */
const makeRunId = Effect.gen(function* () {
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
const countValidEmails = (db: Database) =>
  Effect.gen(function* () {
    let valid = 0
    let after = 0
    for (;;) {
      const page = yield* db.emailsPage(after, EMAIL_PAGE)
      for (const email of page.emails) if (email !== null && isValidEmail(email)) valid++
      if (page.lastId === undefined) return valid
      after = page.lastId
    }
  })

const groupByContact = <A extends { readonly contact_id: number }>(rows: ReadonlyArray<A>) => {
  const groups = new Map<number, Array<A>>()
  for (const row of rows) {
    const group = groups.get(row.contact_id)
    if (group === undefined) groups.set(row.contact_id, [row])
    else group.push(row)
  }
  return groups
}

const NO_EVENTS: ReadonlyArray<ContactEventRow> = []

/**
 * One nightly run (spec §11) for the emails of spec §5–§6: settings are resolved and validated before anything is
 * written (an invalid setting fails the run and leaves the file untouched); then, batch by batch in ascending
 * contact id, each contact is validated and planned, and the batch is written with the smart update in one
 * transaction. Campaigns, follow-ups, frequency limits and load balancing build on this.
 */
export const runOnce = Effect.fn("Scheduler.runOnce")(function* (options: RunOptions) {
  const db = yield* Database
  const resolved = yield* resolveRunSettings(options.flags)
  const asOf = yield* businessToday(resolved.settings.timezone, options.asOf)
  const time = sendTime(resolved.settings.send_time_hour, resolved.settings.send_time_minute)

  const work = Effect.gen(function* () {
    const rules = yield* RulesEngine
    const context = planContext(rules, asOf)
    const applied = yield* runMigrations
    const runId = yield* makeRunId
    const now = yield* utcTimestamp
    const profile = loadParameters(resolved.settings, yield* countValidEmails(db))
    const census = makeCensus()
    const summary = makePlanSummary()
    const malformedRows = { count: 0, sample: [] as MalformedRow[] }
    let writes = NO_WRITES
    let droppedDuplicate = 0
    let after = 0
    for (;;) {
      const page = yield* db.contactsPage(after, profile.batchSize)
      if (page.lastId === undefined) break
      const range = { firstId: after + 1, lastId: page.lastId }
      const batch = yield* db.withTransaction(
        Effect.gen(function* () {
          const stored = yield* db.emailSchedulesOf(range)
          const events = yield* db.contactEventsOf(range)
          for (const bad of [...stored.malformed, ...events.malformed]) {
            malformedRows.count++
            if (malformedRows.sample.length < 20) malformedRows.sample.push(bad)
          }
          const storedByContact = groupByContact(stored.rows)
          const eventsByContact = groupByContact(events.rows)
          const records: Array<PlanRecord> = []
          const contactIds = new Set<number>()
          for (const row of page.malformed) census.addMalformed(row)
          for (const row of page.contacts) {
            const contact = validateContact(row)
            census.addContact(contact)
            contactIds.add(contact.id)
            const plan = planContact(
              {
                contact,
                history: buildHistory(storedByContact.get(contact.id) ?? [], asOf),
                failedUnderwriting: failedUnderwriting(eventsByContact.get(contact.id) ?? NO_EVENTS)
              },
              context
            )
            droppedDuplicate += plan.droppedDuplicate
            writes = addCounts(writes, { ...NO_WRITES, droppedHandled: plan.droppedHandled })
            for (const planned of plan.rows) {
              const record = toRecord(planned, time)
              records.push(record)
              summary.add(record)
            }
          }
          return yield* writeBatch({ contactIds, records, stored, runId, now })
        })
      )
      writes = addCounts(writes, batch)
      after = page.lastId
      options.onProgress?.("Planning and writing", census.result().total, 0)
    }
    const report: RunReport = {
      runId,
      asOf,
      dryRun: options.dryRun,
      ruleset: rulesetId(rules.ruleset),
      zipDataset: ZIP_DATASET,
      settings: resolved.settings,
      settingSources: resolved.sources,
      settingsChanged: resolved.changed,
      stateBuffers: resolved.stateBuffers,
      organizationRowMissing: resolved.organizationRowMissing,
      warnings: resolved.warnings,
      migrationsApplied: applied.map(([id, name]) => `${String(id).padStart(4, "0")}_${name}`),
      contacts: census.result(),
      profile,
      plan: summary.result(),
      writes: { ...writes, droppedDuplicate },
      malformedRows
    }
    return report
  })

  const withRules = Effect.provide(work, RulesEngine.fromSettings(resolved))
  if (options.dryRun) return yield* inRolledBackTransaction(withRules)
  yield* prepareForWriting
  return yield* withRules
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
