import { Effect } from "effect"
import type { ContactIdRange, Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import { type Contact, type ContactRow, validateContact } from "../domain/contact.js"
import type { EmailScheduleRow } from "../domain/email.js"
import { type ContactEventRow, failedUnderwriting, type TrackingClickRow } from "../domain/events.js"
import { buildHistory, type ContactHistory, type ContactPlan, type PlanContext, planContact } from "../plan/index.js"

/** Rows by contact id, in their order; rows without a contact are left out. */
export const groupByContact = <A extends { readonly contact_id: number | null }>(rows: ReadonlyArray<A>) => {
  const groups = new Map<number, Array<A>>()
  for (const row of rows) {
    if (row.contact_id === null) continue
    const group = groups.get(row.contact_id)
    if (group === undefined) groups.set(row.contact_id, [row])
    else group.push(row)
  }
  return groups
}

const NONE: ReadonlyArray<never> = []

/**
 * The rows related to a page of contacts, read by its id range (but for the contacts `except`) and grouped by contact.
 */
export const readRelated = (db: Database, range: ContactIdRange, except: ReadonlyArray<number> = []) =>
  Effect.gen(function* () {
    const stored = yield* db.emailSchedulesOf(range, except)
    const events = yield* db.contactEventsOf(range, except)
    const clicks = yield* db.trackingClicksOf(range, except)
    const enrollments = yield* db.enrollmentsOf(range, except)
    return {
      stored,
      malformed: [...stored.malformed, ...events.malformed, ...clicks.malformed, ...enrollments.malformed],
      storedBy: groupByContact<EmailScheduleRow>(stored.rows),
      eventsBy: groupByContact<ContactEventRow>(events.rows),
      clicksBy: groupByContact<TrackingClickRow>(clicks.rows),
      enrollmentsBy: groupByContact(enrollments.rows)
    }
  })

export type Related = Effect.Effect.Success<ReturnType<typeof readRelated>>

export interface PlannedContact {
  readonly contact: Contact
  readonly history: ContactHistory
  readonly plan: ContactPlan
  readonly enrollments: ReadonlyArray<{ readonly id: number; readonly status: string }>
}

/** Validates one contact row and plans it against its related rows (spec §11 steps 3–8). */
export const planContactRow = (row: ContactRow, related: Related, context: PlanContext): PlannedContact => {
  const contact = validateContact(row, context.today)
  const events = related.eventsBy.get(contact.id) ?? NONE
  const history = buildHistory(related.storedBy.get(contact.id) ?? NONE, context.today)
  const enrollments = related.enrollmentsBy.get(contact.id) ?? NONE
  const plan = planContact(
    {
      contact,
      history,
      failedUnderwriting: failedUnderwriting(events),
      enrollments,
      events,
      clicks: related.clicksBy.get(contact.id) ?? NONE
    },
    context
  )
  return { contact, history, plan, enrollments }
}

/** Keeps the count and the first 20 of the related rows that could not be decoded. */
export const malformedTally = () => {
  const tally = { count: 0, sample: [] as Array<MalformedRow> }
  return {
    add: (rows: ReadonlyArray<MalformedRow>) => {
      for (const row of rows) {
        tally.count++
        if (tally.sample.length < 20) tally.sample.push(row)
      }
    },
    /** Counts rows reported elsewhere beyond their sample. */
    addUncounted: (rows: number) => {
      tally.count += rows
    },
    result: (): { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> } => tally
  }
}
