import { Effect } from "effect"
import type { Database } from "../db/Database.js"
import { dateFromDayNumber, toDayNumber } from "../domain/dates.js"
import { type BalanceResult, ED_SMOOTHING, stepNames } from "./balance.js"
import type { BalanceItems, EmailTypeCodes } from "./balance-items.js"
import { malformedTally, planContactRow, readRelated } from "./batch-input.js"
import { lineHash, planLine, planOrder } from "./checkpoint.js"
import { stopwatch } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { Batch } from "./load-plan.js"
import type { PlannedEmail } from "./plan.js"
import type { PlanContext } from "./plan-contact.js"
import { makePlanSummary } from "./plan-summary.js"
import { type PlanRecord, toRecord } from "./records.js"
import { addCounts, NO_WRITES, updateEnrollments, writeBatch } from "./write.js"

/** The balanced row: its final date, and a `moved` explanation when it moved (spec §14.2). */
const balancedRow = (row: PlannedEmail, item: number, result: BalanceResult): PlannedEmail => {
  const day = result.days[item]!
  if (day === toDayNumber(row.date)) return row
  const steps = result.steps[item]!
  return {
    ...row,
    date: dateFromDayNumber(day),
    metadata: {
      ...row.metadata,
      moved: {
        from: row.date,
        steps: stepNames(steps),
        ...(steps & ED_SMOOTHING ? { jitter: result.jitter[item]! } : {})
      }
    }
  }
}

/**
 * The contact's rows with load balancing applied. Each pre-scheduled row takes the decision of the balance item
 * planned for it in pass 1 (same type and planned day). Should the contact's data have changed between the passes (a
 * row the sender handled meanwhile), a row without its item, or whose destination key another row now holds, keeps its
 * planned date: it passed every rule when planned.
 */
const applyBalance = (
  rows: ReadonlyArray<PlannedEmail>,
  itemRange: { readonly start: number; readonly end: number },
  items: BalanceItems,
  types: EmailTypeCodes,
  result: BalanceResult
): Array<PlannedEmail> => {
  const used = new Set<number>()
  let consistent = true
  const balanced = rows.map((row) => {
    if (row.status !== "pre-scheduled") return row
    const day = toDayNumber(row.date)
    const type = types.code(row.emailType)
    for (let item = itemRange.start; item < itemRange.end; item++) {
      if (used.has(item) || items.typeCode[item] !== type || items.plannedDay[item] !== day) continue
      used.add(item)
      return balancedRow(row, item, result)
    }
    consistent = false
    return row
  })
  if (consistent && used.size === itemRange.end - itemRange.start) return balanced
  const keys = new Set(rows.map((row) => `${row.emailType}|${row.date}`))
  return balanced.map((row, index) => {
    const planned = rows[index]!
    if (row === planned || keys.has(`${row.emailType}|${row.date}`)) return planned
    keys.add(`${row.emailType}|${row.date}`)
    return row
  })
}

/**
 * Pass 2 of a run (spec §11 steps 10–11): batch by batch, in one transaction each, reads the batch's contacts and
 * related rows again, plans them again (the plan is a pure function of them), applies the load-balancing decisions
 * and writes with the smart update. Also computes what describes the written plan: the plan checksum (lines sorted
 * per batch, and batches are in contact-id order), the summary and the daily volume.
 */
export const writePlan = (options: {
  readonly db: Database
  readonly context: PlanContext
  readonly batches: ReadonlyArray<Batch>
  readonly items: BalanceItems
  readonly types: EmailTypeCodes
  readonly balanced: BalanceResult
  readonly time: string
  readonly runId: string
  readonly now: string
  readonly onProgress: (done: number) => void
}) =>
  Effect.gen(function* () {
    const { db, context, items, types, balanced } = options
    const planHash = lineHash()
    const summary = makePlanSummary()
    const malformed = malformedTally()
    const warnings = new Set<string>()
    const today = toDayNumber(context.today)
    const volume = new Array<number>(60).fill(0)
    let writes = NO_WRITES
    let enrollmentsUpdated = 0
    let droppedHandled = 0
    let droppedDuplicate = 0
    let done = 0
    const sql = stopwatch()
    for (const batch of options.batches) {
      const records = yield* db.withTransaction(
        Effect.gen(function* () {
          const contacts = yield* db.contactsBetween(batch)
          const related = yield* readRelated(db, batch)
          malformed.add(related.malformed)
          const records: Array<PlanRecord> = []
          const contactIds = new Set<number>()
          const enrollmentUpdates: Array<{ id: number; status: string }> = []
          let item = batch.itemStart
          for (const row of contacts.rows) {
            const { contact, plan, enrollments } = planContactRow(row, related, context)
            contactIds.add(contact.id)
            droppedHandled += plan.droppedHandled
            droppedDuplicate += plan.droppedDuplicate
            for (const warning of plan.warnings) warnings.add(warning)
            for (const enrollment of enrollments) {
              const status = plan.enrollmentStatus.get(enrollment.id)
              if (status !== undefined && status !== enrollment.status)
                enrollmentUpdates.push({ id: enrollment.id, status })
            }
            while (item < batch.itemEnd && items.contactId[item]! < contact.id) item++
            const start = item
            while (item < batch.itemEnd && items.contactId[item] === contact.id) item++
            for (const final of applyBalance(plan.rows, { start, end: item }, items, types, balanced)) {
              const record = toRecord(final, options.time)
              records.push(record)
              summary.add(record, contact.state)
              const offset = toDayNumber(record.date) - today
              if (record.status === "pre-scheduled" && offset >= 0 && offset < 60) volume[offset]!++
            }
          }
          const counts = yield* sql.time(
            writeBatch({
              contactIds,
              records,
              stored: related.stored,
              runId: options.runId,
              now: options.now
            })
          )
          writes = addCounts(writes, counts)
          enrollmentsUpdated += yield* sql.time(updateEnrollments(enrollmentUpdates, options.now))
          done += contacts.rows.length
          return records
        })
      )
      for (const record of records.sort(planOrder)) planHash.add(planLine(record))
      options.onProgress(done)
      yield* yieldToEventLoop
    }
    return {
      writes: { ...writes, droppedHandled: writes.droppedHandled + droppedHandled },
      droppedDuplicate,
      enrollmentsUpdated,
      planChecksum: planHash.hex(),
      summary: summary.result(),
      volume,
      warnings: [...warnings],
      malformedRows: malformed.result(),
      sqlMs: sql.millis()
    }
  })
