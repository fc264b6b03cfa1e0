import { Effect } from "effect"
import type { ContactIdRange, Database } from "../db/Database.js"
import { readLooseDate, toDayNumber } from "../domain/dates.js"
import { isHandledStatus } from "../domain/email.js"
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
import { contactLine, lineHash, planLine, planOrder } from "./checkpoint.js"
import { makeCensus } from "./contact-census.js"
import { stopwatch } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { PlanContext } from "./plan-contact.js"
import { makePlanSummary } from "./plan-summary.js"
import { predictUnchanged } from "./prediction.js"

/** One write batch: a contiguous id range of contacts and the balance items its contacts own (spec §12.2). */
export interface Batch extends ContactIdRange {
  readonly itemStart: number
  readonly itemEnd: number
  readonly planRows: number
  /** Every contact's stored rows already are its plan, provided balancing gives each item its expected outcome. */
  readonly unchangedIfExpected: boolean
  /** Contact rows of the range that could not be decoded: their email rows are not part of the plan. */
  readonly malformedContactIds: ReadonlyArray<number>
}

/**
 * Pass 1 of a run (spec §11 steps 2–8): reads contacts in keyset pages of `batchSize` with their stored rows, events,
 * clicks and enrollments, validates and plans each one, and keeps only what load balancing needs, in typed columns,
 * with the plan's summary. The plan itself is not kept: the write pass plans each batch again, inside its
 * transaction, so memory stays bounded by one batch whatever the size of the organization. It also recognises the
 * batches that are already stored as planned (a re-run), so the write pass can skip them.
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
    const contactsHash = lineHash()
    const summary = makePlanSummary()
    const malformed = malformedTally()
    const warnings = new Set<string>()
    const items = new BalanceItems()
    const contacts = new BalanceContacts()
    const types = new EmailTypeCodes()
    const batches: Array<Batch> = []
    const reads = stopwatch()
    const ruleStates = new Set<string>(context.exclusion.ruleset.rules.map((rule) => rule.state))
    // The plan checksum, valid only if every batch turns out unchanged (then the write pass has nothing to do).
    let unchangedPlanHash: ReturnType<typeof lineHash> | undefined = lineHash()
    let droppedHandled = 0
    let droppedDuplicate = 0
    let after = 0
    for (;;) {
      const page = yield* reads.time(db.contactsPage(after, options.batchSize))
      if (page.lastId === undefined) break
      const range = { firstId: after + 1, lastId: page.lastId }
      const related = yield* reads.time(readRelated(db, range))
      malformed.add(related.malformed)
      const itemStart = items.length
      let planRows = 0
      let unchanged = related.stored.malformed.length === 0
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
        if (enrollments.some((e) => (plan.enrollmentStatus.get(e.id) ?? e.status) !== e.status)) unchanged = false
        const prediction = unchanged ? predictUnchanged(plan.rows, history.rows, options.time) : undefined
        if (prediction === undefined) unchanged = false
        if (unchangedPlanHash !== undefined) {
          if (prediction === undefined) unchangedPlanHash = undefined
          else for (const record of [...prediction.records].sort(planOrder)) unchangedPlanHash.add(planLine(record))
        }

        const owner = contacts.length
        const taken: Array<number> = []
        let balanced = false
        for (const planned of plan.rows) {
          const typeCode = types.code(planned.emailType)
          const day = toDayNumber(planned.date)
          taken.push(keyCode(typeCode, day))
          if (planned.status !== "pre-scheduled") continue
          balanced = true
          items.push({
            contactId: contact.id,
            typeCode,
            plannedDay: day,
            priority: planned.priority,
            latestDay: planned.latestDate === undefined ? NO_LATEST_DAY : toDayNumber(planned.latestDate),
            eventYear: planned.eventDate === undefined ? NO_EVENT_YEAR : Number(planned.eventDate.slice(0, 4)),
            subjectToExclusions: planned.subjectToExclusions || planned.emailType === "post_window",
            owner
          })
        }
        if (prediction !== undefined) {
          prediction.outcomes.forEach((outcome, k) => {
            items.expect(items.length - prediction.outcomes.length + k, outcome)
          })
        }
        if (!balanced) continue
        for (const stored of history.rows) {
          if (isHandledStatus(stored.status) && readLooseDate(stored.scheduled_send_date)._tag === "Valid") {
            taken.push(keyCode(types.code(stored.email_type), toDayNumber(stored.scheduled_send_date)))
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
      if (!unchanged) unchangedPlanHash = undefined
      batches.push({
        ...range,
        itemStart,
        itemEnd: items.length,
        planRows,
        unchangedIfExpected: unchanged,
        malformedContactIds: page.malformed.map((bad) => Number(bad.id))
      })
      after = page.lastId
      options.onProgress(census.result().total)
      yield* yieldToEventLoop
    }
    return {
      items,
      contacts,
      types,
      batches,
      census: census.result(),
      contactsChecksum: contactsHash.hex(),
      summary: summary.result(),
      warnings: [...warnings],
      malformedRows: malformed.result(),
      droppedHandled,
      droppedDuplicate,
      unchangedPlanChecksum: unchangedPlanHash?.hex(),
      readMs: reads.millis()
    }
  })
