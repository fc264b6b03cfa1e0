import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { Database } from "../db/Database.js"
import { DatabaseError } from "../db/errors.js"
import { toDayNumber } from "../domain/dates.js"
import { type BalanceResult, ED_SMOOTHING } from "./balance.js"
import type { BalanceItems, EmailTypeCodes } from "./balance-items.js"
import { planContactRow, readRelated } from "./batch-input.js"
import { lineHash, planLine, planOrder } from "./checkpoint.js"
import { stopwatch } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { Batch } from "./load-plan.js"
import type { PlannedEmail } from "./plan.js"
import type { PlanContext } from "./plan-contact.js"
import { type BalanceOutcome, balancedEmail } from "./prediction.js"
import { type PlanRecord, toRecord } from "./records.js"
import { addCounts, NO_WRITES, updateEnrollments, writeBatch } from "./write.js"

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
      return balancedEmail(row, outcomeOf(result, item))
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

const outcomeOf = (result: BalanceResult, item: number): BalanceOutcome => ({
  day: result.days[item]!,
  steps: result.steps[item]!,
  jitter: result.jitter[item]!
})

/** Did balancing give every item of the batch the outcome that leaves its stored row as it is? */
const cameOutAsExpected = (batch: Batch, items: BalanceItems, result: BalanceResult): boolean => {
  for (let item = batch.itemStart; item < batch.itemEnd; item++) {
    const day = result.days[item]!
    const stays = day === items.plannedDay[item]
    const expectedStays = items.expectedDay[item] === items.plannedDay[item]
    if (stays !== expectedStays) return false
    if (stays) continue
    if (day !== items.expectedDay[item] || result.steps[item] !== items.expectedSteps[item]) return false
    if (result.steps[item]! & ED_SMOOTHING && result.jitter[item] !== items.expectedJitter[item]) return false
  }
  return true
}

const PlanLineRow = Schema.Struct({
  contact_id: Schema.Int,
  email_type: Schema.String,
  scheduled_send_date: Schema.String,
  scheduled_send_time: Schema.NullOr(Schema.String),
  status: Schema.Literal("pre-scheduled", "skipped"),
  skip_reason: Schema.NullOr(Schema.String),
  priority: Schema.Int,
  campaign_instance_id: Schema.NullOr(Schema.Int),
  event_year: Schema.NullOr(Schema.Int),
  event_month: Schema.NullOr(Schema.Int),
  event_day: Schema.NullOr(Schema.Int)
})
const decodePlanLines = Schema.decodeUnknown(Schema.Array(PlanLineRow))

/**
 * The checksum lines of a batch that is stored exactly as planned: its contacts' scheduler rows, in plan order
 * (SQLite's BINARY collation orders these ASCII columns as JavaScript does).
 */
const storedPlanLines = (batch: Batch) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`SELECT e.contact_id, e.email_type, e.scheduled_send_date, e.scheduled_send_time, e.status,
        e.skip_reason, e.priority, e.campaign_instance_id, e.event_year, e.event_month, e.event_day
      FROM email_schedules e JOIN contacts c ON c.id = e.contact_id
      WHERE e.contact_id BETWEEN ${batch.firstId} AND ${batch.lastId} AND e.status IN ('pre-scheduled', 'skipped')
      ORDER BY e.contact_id, e.email_type, e.scheduled_send_date`.pipe(Effect.flatMap(decodePlanLines))
    const malformed = new Set(batch.malformedContactIds)
    return rows
      .filter((row) => !malformed.has(row.contact_id))
      .map((row) =>
        planLine({
          contactId: row.contact_id,
          emailType: row.email_type,
          date: row.scheduled_send_date,
          time: row.scheduled_send_time ?? "",
          status: row.status,
          skipReason: row.skip_reason,
          priority: row.priority,
          campaignInstanceId: row.campaign_instance_id,
          eventYear: row.event_year,
          eventMonth: row.event_month,
          eventDay: row.event_day
        })
      )
  }).pipe(
    Effect.catchTags({
      SqlError: (cause) => new DatabaseError({ operation: "read the stored plan", cause }),
      ParseError: (cause) => new DatabaseError({ operation: "read the stored plan", cause })
    })
  )

/**
 * Pass 2 of a run (spec §11 steps 10–11): batch by batch, in one transaction each, reads the batch's contacts and
 * related rows again, plans them again (the plan is a pure function of them), applies the load-balancing decisions
 * and writes with the smart update. A batch that pass 1 found stored exactly as planned, and whose rows balancing
 * left where they were, is not touched (spec §12.4: a re-run changes nothing): it costs no planning at all, and when
 * every batch is such a batch, the plan checksum of pass 1 is the checksum. Otherwise the checksum is computed here
 * (lines sorted per batch, and batches are in contact-id order).
 */
export const writePlan = (options: {
  readonly db: Database
  readonly context: PlanContext
  readonly batches: ReadonlyArray<Batch>
  readonly items: BalanceItems
  readonly types: EmailTypeCodes
  readonly balanced: BalanceResult
  /** The plan checksum pass 1 computed assuming every batch unchanged, if it could. */
  readonly unchangedPlanChecksum: string | undefined
  readonly time: string
  readonly runId: string
  readonly now: string
  readonly onProgress: (done: number) => void
}) =>
  Effect.gen(function* () {
    const { db, context, items, types, balanced } = options
    const unchanged = options.batches.map(
      (batch) => batch.unchangedIfExpected && cameOutAsExpected(batch, items, balanced)
    )
    const allUnchanged = options.unchangedPlanChecksum !== undefined && unchanged.every(Boolean)
    const planHash = lineHash()
    let writes = NO_WRITES
    let enrollmentsUpdated = 0
    let batchesWritten = 0
    let done = 0
    const sql = stopwatch()
    for (const [index, batch] of options.batches.entries()) {
      if (unchanged[index]) {
        writes = addCounts(writes, { ...NO_WRITES, unchanged: batch.planRows })
        if (!allUnchanged) for (const line of yield* storedPlanLines(batch)) planHash.add(line)
        continue
      }
      batchesWritten++
      const records = yield* db.withTransaction(
        Effect.gen(function* () {
          const contacts = yield* db.contactsBetween(batch)
          const related = yield* readRelated(db, batch)
          const records: Array<PlanRecord> = []
          const contactIds = new Set<number>()
          const enrollmentUpdates: Array<{ id: number; status: string }> = []
          let item = batch.itemStart
          for (const row of contacts.rows) {
            const { contact, plan, enrollments } = planContactRow(row, related, context)
            contactIds.add(contact.id)
            for (const enrollment of enrollments) {
              const status = plan.enrollmentStatus.get(enrollment.id)
              if (status !== undefined && status !== enrollment.status)
                enrollmentUpdates.push({ id: enrollment.id, status })
            }
            while (item < batch.itemEnd && items.contactId[item]! < contact.id) item++
            const start = item
            while (item < batch.itemEnd && items.contactId[item] === contact.id) item++
            for (const final of applyBalance(plan.rows, { start, end: item }, items, types, balanced)) {
              records.push(toRecord(final, options.time))
            }
          }
          const counts = yield* sql.time(
            writeBatch({ contactIds, records, stored: related.stored, runId: options.runId, now: options.now })
          )
          writes = addCounts(writes, counts)
          enrollmentsUpdated += yield* sql.time(updateEnrollments(enrollmentUpdates, options.now))
          done += contacts.rows.length
          return records
        })
      )
      if (!allUnchanged) for (const record of records.sort(planOrder)) planHash.add(planLine(record))
      options.onProgress(done)
      yield* yieldToEventLoop
    }
    return {
      writes,
      enrollmentsUpdated,
      planChecksum: allUnchanged ? (options.unchangedPlanChecksum ?? "") : planHash.hex(),
      batchesWritten,
      sqlMs: sql.millis()
    }
  })
