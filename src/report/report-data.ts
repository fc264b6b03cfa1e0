import { Effect, type Option } from "effect"
import { DatabaseError } from "../db/errors.js"
import { type CheckpointRow, ReportQueries } from "../db/report-queries.js"
import { validateContact } from "../domain/contact.js"
import { addDays, type IsoDate } from "../domain/dates.js"
import { ZIP_DATASET } from "../domain/states.js"
import { type ContactCensus, makeCensus } from "../plan/index.js"
import { RULESETS, type StateRule } from "../rules/rulesets.js"
import { rulesInForce } from "../rules/windows.js"
import { forEachContactPage, resolveRunSettings } from "../run/index.js"
import { businessToday } from "../time/BusinessClock.js"

/** Days of planned volume the report charts. */
export const VOLUME_DAYS = 90

export interface StateRules {
  readonly state: string
  readonly buffer: number
  readonly rules: ReadonlyArray<StateRule>
}

export interface ReportData {
  readonly organization: string
  readonly today: IsoDate
  readonly timezone: string
  readonly ruleset: string
  readonly zipDataset: string
  /** Planned (pre-scheduled or scheduled) emails per day and type, today and the 89 days after. */
  readonly volume: ReadonlyArray<{ readonly date: IsoDate; readonly byType: Readonly<Record<string, number>> }>
  readonly emailTypes: ReadonlyArray<string>
  /** Skipped rows dated today or later, by the contact's state and by reason. */
  readonly suppression: {
    readonly total: number
    readonly byState: Readonly<Record<string, number>>
    readonly byReason: Readonly<Record<string, number>>
    readonly byStateAndReason: Readonly<Record<string, Readonly<Record<string, number>>>>
  }
  readonly rules: ReadonlyArray<StateRules>
  readonly contacts: ContactCensus
  readonly runs: ReadonlyArray<CheckpointRow>
}

const increment = (counts: Record<string, number>, key: string, n: number) => {
  counts[key] = (counts[key] ?? 0) + n
}

const sorted = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)))

/**
 * Everything the compliance and volume report shows, read from the database as it is now (a run is not needed, and
 * nothing is written): the plan's next 90 days, suppressions, the rules in force per state with their sources, the
 * contact census and the last runs.
 */
export const reportData = (options: { readonly asOf: Option.Option<IsoDate>; readonly organization: string }) =>
  Effect.gen(function* () {
    const resolved = yield* resolveRunSettings({})
    const { settings } = resolved
    const today = yield* businessToday(settings.timezone, options.asOf)
    const last = addDays(today, VOLUME_DAYS - 1)

    const volumeRows = yield* ReportQueries.plannedVolume(today, last)
    const byDate = new Map<string, Record<string, number>>()
    for (const row of volumeRows) {
      const day = byDate.get(row.date) ?? {}
      day[row.email_type] = row.emails
      byDate.set(row.date, day)
    }
    const volume = Array.from({ length: VOLUME_DAYS }, (_, offset) => {
      const date = addDays(today, offset)
      return { date, byType: byDate.get(date) ?? {} }
    })

    const skippedRows = yield* ReportQueries.skippedFrom(today)
    const skippedByContact = new Map<number, Array<{ reason: string; n: number }>>()
    for (const row of skippedRows) {
      const list = skippedByContact.get(row.contact_id) ?? []
      list.push({ reason: row.skip_reason ?? "unknown", n: row.n })
      skippedByContact.set(row.contact_id, list)
    }

    // One pass over the contacts: the census, and the resolved state of each contact with suppressed emails.
    const census = makeCensus()
    const byState: Record<string, number> = {}
    const byReason: Record<string, number> = {}
    const byStateAndReason: Record<string, Record<string, number>> = {}
    let total = 0
    yield* forEachContactPage((page) => {
      for (const bad of page.malformed) census.addMalformed(bad)
      for (const row of page.contacts) {
        const contact = validateContact(row, today)
        census.addContact(contact)
        for (const { reason, n } of skippedByContact.get(contact.id) ?? []) {
          const state = contact.state ?? "none"
          total += n
          increment(byState, state, n)
          increment(byReason, reason, n)
          byStateAndReason[state] ??= {}
          increment(byStateAndReason[state], reason, n)
        }
      }
    })

    const ruleset = RULESETS[settings.ruleset]
    const states = [...new Set(ruleset.rules.map((rule) => rule.state))].sort()
    const rules = states
      .map((state) => ({
        state,
        buffer: resolved.stateBuffers[state] ?? settings.pre_exclusion_buffer_days,
        rules: rulesInForce(ruleset, state, today)
      }))
      .filter((entry) => entry.rules.length > 0)

    const runs = yield* ReportQueries.recentRuns(10)

    const data: ReportData = {
      organization: options.organization,
      today,
      timezone: settings.timezone,
      ruleset: `${ruleset.name} v${ruleset.version}`,
      zipDataset: ZIP_DATASET,
      volume,
      emailTypes: [...new Set(volumeRows.map((row) => row.email_type))].sort(),
      suppression: {
        total,
        byState: sorted(byState),
        byReason: sorted(byReason),
        byStateAndReason: Object.fromEntries(Object.entries(byStateAndReason).sort(([a], [b]) => (a < b ? -1 : 1)))
      },
      rules,
      contacts: census.result(),
      runs
    }
    return data
  }).pipe(
    Effect.catchTags({
      SqlError: (cause) => new DatabaseError({ operation: "read the report", cause }),
      ParseError: (cause) => new DatabaseError({ operation: "read the report", cause })
    })
  )
