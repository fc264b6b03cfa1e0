import { Effect } from "effect"
import type { Database } from "../../../src/db/Database.js"
import type { MalformedRow } from "../../../src/db/decode.js"
import { validateContact } from "../../../src/domain/contact.js"
import { readLooseDate, toDayNumber } from "../../../src/domain/dates.js"
import { type EmailScheduleRow, isHandledStatus } from "../../../src/domain/email.js"
import { type ContactEventRow, failedUnderwriting, type TrackingClickRow } from "../../../src/domain/events.js"
import { makeCensus } from "../../../src/plan/contact-census.js"
import { buildHistory } from "../../../src/plan/history.js"
import type { EnrollmentStatus, PlanContext } from "../../../src/plan/plan-contact.js"
import { planContact } from "../../../src/plan/plan-contact.js"
import { makePlanSummary } from "../../../src/plan/plan-summary.js"
import { type PlanRecord, toRecord } from "../../../src/plan/records.js"
import type { WindowSubject } from "../../../src/rules/windows.js"
import { groupByContact } from "../../../src/run/batch-input.js"
import { contactLine, lineHash } from "../../../src/run/checksums.js"
import { yieldToEventLoop } from "../../../src/run/event-loop.js"
import type { BalanceItem } from "./balance.js"

/** One write batch: a contiguous id range of processed contacts and its slice of the plan (spec §12.2). */
export interface Batch {
  readonly firstId: number
  readonly lastId: number
  /** Contacts whose rows this run owns; a malformed contact row is not among them, so its rows are left alone. */
  readonly contactIds: ReadonlySet<number>
  readonly recordStart: number
  readonly recordEnd: number
  readonly enrollmentUpdates: ReadonlyArray<{ readonly id: number; readonly status: EnrollmentStatus }>
}

/** The pre-scheduled rows that load balancing may move, with what the acceptable-destination test needs. */
export interface BalanceInput {
  readonly items: Array<BalanceItem>
  /** Index of each item's record in `records`. */
  readonly recordIndex: Array<number>
  /** Subjects of contacts in states with rules, for the window test (spec §10.6); others are never excluded. */
  readonly subjects: Map<number, WindowSubject>
  /** Per contact with rows to balance: the keys taken by its plan rows and handled rows, as `keyCode`s. */
  readonly taken: Map<number, Array<number>>
  readonly keyCode: (emailType: string, day: number) => number
}

/** Numbers instead of strings for (email type, day) keys: balancing tests millions of them. */
const keyCoder = () => {
  const types = new Map<string, number>()
  return (emailType: string, day: number): number => {
    let index = types.get(emailType)
    if (index === undefined) {
      index = types.size
      types.set(emailType, index)
    }
    return index * 1_000_000 + day
  }
}

const NONE: ReadonlyArray<never> = []

/**
 * Phase 1 of a run (spec §11 steps 2–8): reads contacts in keyset pages of `batchSize` with their stored rows,
 * events, clicks and enrollments, validates and plans each one, and keeps the plan in compact records.
 */
export const loadAndPlan = (options: {
  readonly db: Database
  readonly context: PlanContext
  readonly batchSize: number
  readonly time: string
  readonly onProgress: (done: number) => void
}) =>
  Effect.gen(function* () {
    const { db, context } = options
    const census = makeCensus()
    const summary = makePlanSummary()
    const contactsHash = lineHash()
    const records: Array<PlanRecord> = []
    const batches: Array<Batch> = []
    const keyCode = keyCoder()
    const balanceInput: BalanceInput = { items: [], recordIndex: [], subjects: new Map(), taken: new Map(), keyCode }
    const ruleStates = new Set(context.exclusion.ruleset.rules.map((rule) => rule.state))
    const warnings = new Set<string>()
    const malformedRows = { count: 0, sample: [] as MalformedRow[] }
    let droppedHandled = 0
    let droppedDuplicate = 0
    let after = 0
    for (;;) {
      const page = yield* db.contactsPage(after, options.batchSize)
      if (page.lastId === undefined) break
      const range = { firstId: after + 1, lastId: page.lastId }
      const stored = yield* db.emailSchedulesOf(range)
      const events = yield* db.contactEventsOf(range)
      const clicks = yield* db.trackingClicksOf(range)
      const enrollments = yield* db.enrollmentsOf(range)
      for (const bad of [...stored.malformed, ...events.malformed, ...clicks.malformed, ...enrollments.malformed]) {
        malformedRows.count++
        if (malformedRows.sample.length < 20) malformedRows.sample.push(bad)
      }
      const storedBy = groupByContact<EmailScheduleRow>(stored.rows)
      const eventsBy = groupByContact<ContactEventRow>(events.rows)
      const clicksBy = groupByContact<TrackingClickRow>(clicks.rows)
      const enrollmentsBy = groupByContact(enrollments.rows)
      const recordStart = records.length
      const contactIds = new Set<number>()
      const enrollmentUpdates: Array<{ id: number; status: EnrollmentStatus }> = []
      let nextMalformed = 0
      for (const row of page.contacts) {
        // Contacts arrive in ascending id; malformed rows are interleaved by id for the checksum and the census.
        while (nextMalformed < page.malformed.length && Number(page.malformed[nextMalformed]!.id) < row.id) {
          census.addMalformed(page.malformed[nextMalformed++]!)
        }
        contactsHash.add(contactLine(row))
        const contact = validateContact(row, context.today)
        census.addContact(contact)
        contactIds.add(contact.id)
        const contactEvents = eventsBy.get(contact.id) ?? NONE
        const history = buildHistory(storedBy.get(contact.id) ?? NONE, context.today)
        const contactEnrollments = enrollmentsBy.get(contact.id) ?? NONE
        const plan = planContact(
          {
            contact,
            history,
            failedUnderwriting: failedUnderwriting(contactEvents),
            enrollments: contactEnrollments,
            events: contactEvents,
            clicks: clicksBy.get(contact.id) ?? NONE
          },
          context
        )
        droppedHandled += plan.droppedHandled
        droppedDuplicate += plan.droppedDuplicate
        for (const warning of plan.warnings) warnings.add(warning)
        for (const enrollment of contactEnrollments) {
          const status = plan.enrollmentStatus.get(enrollment.id)
          if (status !== undefined && status !== enrollment.status)
            enrollmentUpdates.push({ id: enrollment.id, status })
        }
        const taken: Array<number> = []
        let balanced = false
        for (const planned of plan.rows) {
          const record = toRecord(planned, options.time)
          taken.push(keyCode(record.emailType, toDayNumber(planned.hold?.date ?? record.date)))
          if (record.status === "pre-scheduled") {
            balanced = true
            balanceInput.items.push({
              contactId: contact.id,
              emailType: record.emailType,
              plannedDay: toDayNumber(record.date),
              priority: record.priority,
              latestDay: planned.latestDate === undefined ? undefined : toDayNumber(planned.latestDate),
              eventYear: record.eventYear ?? undefined,
              subjectToExclusions: planned.subjectToExclusions || planned.emailType === "post_window",
              heldDay: planned.hold === undefined ? undefined : toDayNumber(planned.hold.date),
              heldMove: planned.hold
            })
            balanceInput.recordIndex.push(records.length)
          }
          records.push(record)
          summary.add(record, contact.state)
        }
        if (balanced) {
          if (contact.state !== undefined && ruleStates.has(contact.state))
            balanceInput.subjects.set(contact.id, contact)
          for (const row of history.rows) {
            if (isHandledStatus(row.status) && readLooseDate(row.scheduled_send_date)._tag === "Valid") {
              taken.push(keyCode(row.email_type, toDayNumber(row.scheduled_send_date)))
            }
          }
          balanceInput.taken.set(contact.id, taken)
        }
      }
      while (nextMalformed < page.malformed.length) census.addMalformed(page.malformed[nextMalformed++]!)
      batches.push({ ...range, contactIds, recordStart, recordEnd: records.length, enrollmentUpdates })
      after = page.lastId
      options.onProgress(census.result().total)
      yield* yieldToEventLoop
    }
    return {
      records,
      batches,
      balanceInput,
      census: census.result(),
      summary,
      contactsChecksum: contactsHash.hex(),
      warnings: [...warnings],
      malformedRows,
      droppedHandled,
      droppedDuplicate
    }
  })
