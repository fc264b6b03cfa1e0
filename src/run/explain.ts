import { Data, Effect, Option } from "effect"
import { Database, MAX_CONTACT_ID } from "../db/Database.js"
import { runMigrations } from "../db/migrations.js"
import { inRolledBackTransaction } from "../db/rollback.js"
import { birthDateArrives, type ContactRow, validateContact } from "../domain/contact.js"
import type { IsoDate } from "../domain/dates.js"
import type { EmailScheduleRow } from "../domain/email.js"
import { failedUnderwriting } from "../domain/events.js"
import type { CandidateTrace, PostWindowTrace } from "../plan/index.js"
import { buildHistory, campaignSetup, earlierDay, planContact, planContext } from "../plan/index.js"
import { RulesEngine } from "../rules/RulesEngine.js"
import { rulesetId } from "../rules/rulesets.js"
import { bufferOf, rulesInForce } from "../rules/windows.js"
import type { SettingName } from "../settings/definitions.js"
import { businessToday } from "../time/BusinessClock.js"
import { resolveRunSettings } from "./run.js"

export class ContactNotFound extends Data.TaggedError("ContactNotFound")<{ readonly contactId: number }> {
  override get message(): string {
    return `Contact ${this.contactId} is not in the contacts table.`
  }
}

export class ContactMalformed extends Data.TaggedError("ContactMalformed")<{ readonly problem: string }> {
  override get message(): string {
    return this.problem
  }
}

export interface ContactExplanation {
  readonly asOf: IsoDate
  readonly ruleset: string
  readonly contact: {
    readonly row: ContactRow
    readonly emailValid: boolean
    readonly state: string | undefined
    readonly birthDate: IsoDate | undefined
    readonly effectiveDate: IsoDate | undefined
    readonly issues: ReadonlyArray<string>
    readonly failedUnderwriting: boolean
  }
  /** The rules of the contact's state in force today, with the buffer that applies. */
  readonly rules: ReadonlyArray<{
    readonly id: string
    readonly kind: string
    readonly daysBefore: number
    readonly daysAfter: number
    readonly buffer: number
    readonly useMonthStart: boolean
    readonly source: string
  }>
  /**
   * The first day on which the same data may give another plan (plan/horizon.ts): planned on any day before it, from
   * the contact's rows and settings as they are now, the plan is this one. Undefined when no date alone changes it.
   */
  readonly holdsUntil: IsoDate | undefined
  readonly candidates: ReadonlyArray<CandidateTrace>
  readonly postWindow: ReadonlyArray<PostWindowTrace>
  /**
   * The contact's plan before load balancing (which spreads busy days over the whole organization and may move a
   * pre-scheduled row to a later acceptable day), carried post-window rows included.
   */
  readonly plan: ReadonlyArray<{
    readonly emailType: string
    readonly date: IsoDate
    readonly status: string
    readonly skipReason: string | undefined
    readonly priority: number
    readonly eventDate: IsoDate | undefined
    readonly metadata: Readonly<Record<string, unknown>>
  }>
  /** Rows already in the database for this contact. */
  readonly stored: ReadonlyArray<
    Pick<EmailScheduleRow, "id" | "email_type" | "scheduled_send_date" | "status" | "skip_reason">
  >
}

/**
 * Why each email of one contact is planned, skipped or absent (spec §4–§6), computed exactly as a run would and
 * without writing anything (the schema is migrated inside a transaction that is rolled back).
 */
export const explainContact = Effect.fn("Scheduler.explainContact")(function* (options: {
  readonly contactId: number
  readonly asOf: Option.Option<IsoDate>
  readonly flags: Partial<Record<SettingName, string>>
}) {
  const db = yield* Database
  const resolved = yield* resolveRunSettings(options.flags)
  const rules = (yield* RulesEngine).rulesFor(resolved)
  const asOf = yield* businessToday(resolved.settings.timezone, options.asOf)
  return yield* inRolledBackTransaction(
    Effect.gen(function* () {
      yield* runMigrations
      if (!Number.isSafeInteger(options.contactId) || options.contactId < 1 || options.contactId > MAX_CONTACT_ID)
        return yield* new ContactMalformed({
          problem: `contacts row ${options.contactId} is malformed: id: must be a whole number from 1 to ${MAX_CONTACT_ID}; a run skips it`
        })
      const found = yield* db.contactById(options.contactId)
      if (Option.isSome(found.malformed)) return yield* new ContactMalformed({ problem: found.malformed.value.message })
      if (Option.isNone(found.contact)) return yield* new ContactNotFound({ contactId: options.contactId })
      const row = found.contact.value
      const range = { firstId: row.id, lastId: row.id }
      const stored = (yield* db.emailSchedulesOf(range)).rows
      const events = (yield* db.contactEventsOf(range)).rows
      const failed = failedUnderwriting(events)
      const contact = validateContact(row, asOf)
      const types = yield* db.campaignTypes
      const instances = yield* db.campaignInstances
      const campaigns = campaignSetup(types.rows, instances.rows, asOf, {
        types: types.malformed,
        instances: instances.malformed
      })
      const plan = planContact(
        {
          contact,
          history: buildHistory(stored, asOf),
          failedUnderwriting: failed,
          enrollments: (yield* db.enrollmentsOf(range)).rows,
          events,
          clicks: (yield* db.trackingClicksOf(range)).rows
        },
        planContext(rules, asOf, campaigns)
      )
      const state = contact.state
      const explanation: ContactExplanation = {
        asOf,
        ruleset: rulesetId(rules.ruleset),
        contact: {
          row,
          emailValid: contact.emailValid,
          state,
          birthDate: contact.birthDate,
          effectiveDate: contact.effectiveDate,
          issues: contact.issues,
          failedUnderwriting: failed
        },
        rules:
          state === undefined
            ? []
            : rulesInForce(rules.ruleset, state, asOf).map((rule) => ({
                id: rule.id,
                kind: rule.kind,
                daysBefore: rule.daysBefore,
                daysAfter: rule.daysAfter,
                buffer: rule.kind === "year_round" ? 0 : bufferOf(rules.exclusion, state),
                useMonthStart: rule.useMonthStart,
                source: rule.source
              })),
        holdsUntil: earlierDay(plan.changesOn, birthDateArrives(row, asOf)),
        candidates: plan.trace,
        postWindow: plan.postWindow,
        plan: [...plan.rows]
          .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.emailType < b.emailType ? -1 : 1))
          .map((r) => ({
            emailType: r.emailType,
            date: r.date,
            status: r.status,
            skipReason: r.skipReason,
            priority: r.priority,
            eventDate: r.eventDate,
            metadata: r.metadata
          })),
        stored: stored.map((r) => ({
          id: r.id,
          email_type: r.email_type,
          scheduled_send_date: r.scheduled_send_date,
          status: r.status,
          skip_reason: r.skip_reason
        }))
      }
      return explanation
    })
  )
})
