import { Effect } from "effect"
import type { ContactIdRange, Database } from "../db/Database.js"
import { readLooseDate, toDayNumber } from "../domain/dates.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { canonicalJson } from "../rules/canonical-json.js"
import { NO_DAY } from "./apply-balance.js"
import {
  BalanceContacts,
  BalanceItems,
  EmailTypeCodes,
  keyCode,
  NO_EVENT_YEAR,
  NO_LATEST_DAY
} from "./balance-items.js"
import { malformedTally, planContactRow, readRelated } from "./batch-input.js"
import { contactLine, lineHash } from "./checkpoint.js"
import { makeCensus } from "./contact-census.js"
import { stopwatch } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { PlannedEmail } from "./plan.js"
import type { PlanContext } from "./plan-contact.js"
import { makePlanSummary } from "./plan-summary.js"
import { NO_EVENT_DAY, recordOn, type StagedRow, StringCodes, writeStagedRow } from "./staged-rows.js"
import { ByteWriter, type StagedExtent, type StagingFile } from "./staging.js"
import { dayKey, storedRowsHash } from "./stored-keys.js"
import { differs } from "./write.js"

/** One write batch: a contiguous id range of contacts, its staged rows and what pass 2 checks before using them. */
export interface Batch extends ContactIdRange {
  readonly extent: StagedExtent
  readonly planRows: number
  /** The planned contacts, in id order, and the fingerprint of each one's stored rows when it was planned. */
  readonly contactIds: Int32Array
  readonly storedHashes: Float64Array
  /** Stored email rows of the range that could not be decoded: never touched, their keys stay taken. */
  readonly undecodableIds: ReadonlySet<number>
  /** Enrollment statuses to write (spec §7.9). */
  readonly enrollmentUpdates: ReadonlyArray<{
    readonly id: number
    readonly status: string
    readonly contactId: number
  }>
}

const eventDayOf = (row: PlannedEmail): number =>
  row.eventDate === undefined ? NO_EVENT_DAY : toDayNumber(row.eventDate)

/**
 * Pass 1 of a run (spec §11 steps 2–8): reads contacts in keyset pages of `batchSize` with their stored rows, events,
 * clicks and enrollments, validates and plans each one once, and stages every planned row in the staging file. It
 * keeps in memory only what load balancing needs, in typed columns, and the plan's summary. A row already stored
 * exactly as it would be written on its start day is staged without its metadata: pass 2 needs nothing more unless
 * balancing moves it.
 */
export const loadAndPlan = (options: {
  readonly db: Database
  readonly context: PlanContext
  readonly batchSize: number
  readonly time: string
  readonly staging: StagingFile
  readonly onProgress: (done: number) => void
}) =>
  Effect.gen(function* () {
    const { db, context, time } = options
    const census = makeCensus()
    const contactsHash = lineHash()
    const summary = makePlanSummary()
    const malformed = malformedTally()
    const warnings = new Set<string>()
    const items = new BalanceItems()
    const contacts = new BalanceContacts()
    const types = new EmailTypeCodes()
    const strings = new StringCodes()
    const batches: Array<Batch> = []
    const reads = stopwatch()
    const writer = new ByteWriter()
    const ruleStates = new Set<string>(context.exclusion.ruleset.rules.map((rule) => rule.state))
    let droppedHandled = 0
    let droppedDuplicate = 0
    let after = 0
    for (;;) {
      const page = yield* reads.time(db.contactsPage(after, options.batchSize))
      if (page.lastId === undefined) break
      const range = { firstId: after + 1, lastId: page.lastId }
      const related = yield* reads.time(readRelated(db, range))
      malformed.add(related.malformed)
      writer.reset()
      const contactIds: Array<number> = []
      const storedHashes: Array<number> = []
      const enrollmentUpdates: Array<{ id: number; status: string; contactId: number }> = []
      let planRows = 0
      let nextMalformed = 0
      for (const row of page.contacts) {
        // Contacts arrive in ascending id; malformed rows are interleaved by id for the checksum and the census.
        while (nextMalformed < page.malformed.length && Number(page.malformed[nextMalformed]!.id) < row.id) {
          census.addMalformed(page.malformed[nextMalformed++]!)
        }
        contactsHash.add(contactLine(row))
        const { contact, history, plan, enrollments } = planContactRow(row, related, context)
        census.addContact(contact)
        planRows += plan.rows.length
        droppedHandled += plan.droppedHandled
        droppedDuplicate += plan.droppedDuplicate
        for (const warning of plan.warnings) warnings.add(warning)
        for (const planned of plan.rows) summary.add(planned, contact.state)
        for (const enrollment of enrollments) {
          const status = plan.enrollmentStatus.get(enrollment.id)
          if (status !== undefined && status !== enrollment.status)
            enrollmentUpdates.push({ id: enrollment.id, status, contactId: contact.id })
        }

        const stored = new Map<string, EmailScheduleRow>()
        const hash = storedRowsHash()
        for (const storedRow of history.rows) {
          stored.set(dayKey(storedRow.email_type, storedRow.scheduled_send_date), storedRow)
          hash.add(storedRow.id, storedRow.email_type, storedRow.scheduled_send_date, storedRow.status)
        }
        contactIds.push(contact.id)
        storedHashes.push(hash.value())

        const owner = contacts.length
        const taken: Array<number> = []
        let balanced = false
        for (const planned of plan.rows) {
          const typeCode = types.code(planned.emailType)
          const plannedDay = toDayNumber(planned.date)
          const startDate = planned.hold?.date ?? planned.date
          const startDay = toDayNumber(startDate)
          taken.push(keyCode(typeCode, startDay))
          const preScheduled = planned.status === "pre-scheduled"
          const item = preScheduled ? items.length : -1
          if (preScheduled) {
            balanced = true
            items.push({
              contactId: contact.id,
              typeCode,
              plannedDay,
              priority: planned.priority,
              latestDay: planned.latestDate === undefined ? NO_LATEST_DAY : toDayNumber(planned.latestDate),
              eventYear: planned.eventDate === undefined ? NO_EVENT_YEAR : Number(planned.eventDate.slice(0, 4)),
              subjectToExclusions: planned.subjectToExclusions || planned.emailType === "post_window",
              owner,
              ...(planned.hold === undefined ? {} : { heldDay: startDay })
            })
          }
          const staged: StagedRow = {
            contactId: contact.id,
            typeCode,
            plannedDay,
            startDay,
            skipped: !preScheduled,
            skipReason: strings.code(planned.skipReason),
            priority: planned.priority,
            campaignInstanceId: planned.campaignInstanceId ?? null,
            emailTemplate: strings.code(planned.emailTemplate),
            smsTemplate: strings.code(planned.smsTemplate),
            eventDay: eventDayOf(planned),
            item,
            unchangedId: undefined,
            holdSteps: planned.hold?.steps ?? 0,
            holdJitter: planned.hold?.jitter ?? 0,
            metadata: canonicalJson(planned.metadata)
          }
          // Already stored as it would be written on its start day? Then pass 2 need not read its metadata again.
          const existing = stored.get(dayKey(planned.emailType, startDate))
          const unchanged =
            existing !== undefined &&
            !isHandledStatus(existing.status) &&
            !differs(
              existing,
              recordOn(staged, startDay, staged.metadata!, planned.hold ?? NO_MOVE, { types, strings, time })
            )
          writeStagedRow(writer, unchanged ? { ...staged, unchangedId: existing.id, metadata: undefined } : staged)
        }
        if (!balanced) continue
        for (const storedRow of history.rows) {
          if (isHandledStatus(storedRow.status) && readLooseDate(storedRow.scheduled_send_date)._tag === "Valid") {
            taken.push(keyCode(types.code(storedRow.email_type), toDayNumber(storedRow.scheduled_send_date)))
          }
        }
        const inRuleState = contact.state !== undefined && ruleStates.has(contact.state)
        contacts.add(taken, {
          state: inRuleState ? contact.state : undefined,
          birthDay: contact.birthDate === undefined ? NO_DAY : toDayNumber(contact.birthDate),
          effectiveDay: contact.effectiveDate === undefined ? NO_DAY : toDayNumber(contact.effectiveDate)
        })
      }
      while (nextMalformed < page.malformed.length) census.addMalformed(page.malformed[nextMalformed++]!)
      batches.push({
        ...range,
        extent: yield* options.staging.append(writer.bytes()),
        planRows,
        contactIds: Int32Array.from(contactIds),
        storedHashes: Float64Array.from(storedHashes),
        undecodableIds: new Set(related.stored.malformed.map((bad) => Number(bad.id))),
        enrollmentUpdates
      })
      after = page.lastId
      options.onProgress(census.result().total)
      yield* yieldToEventLoop
    }
    return {
      items,
      contacts,
      types,
      strings,
      batches,
      census: census.result(),
      contactsChecksum: contactsHash.hex(),
      summary: summary.result(),
      warnings: [...warnings],
      malformedRows: malformed.result(),
      droppedHandled,
      droppedDuplicate,
      readMs: reads.millis()
    }
  })

const NO_MOVE = { steps: 0, jitter: 0 } as const

export type PlannedRun = Effect.Effect.Success<ReturnType<typeof loadAndPlan>>
