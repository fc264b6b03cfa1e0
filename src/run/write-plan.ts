import { Effect } from "effect"
import type { BalanceResult, ItemKeys } from "../balance/index.js"
import { applyBalance, type EmailTypeCodes } from "../balance/index.js"
import { changeVersion, withQuietTriggers } from "../db/change-tracking.js"
import type { Database, StoredKey } from "../db/Database.js"
import type { DatabaseError } from "../db/errors.js"
import { planWriter } from "../db/plan-writes.js"
import type { WriteThread } from "../db/write-thread.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { sortInPlace } from "../domain/sort-in-place.js"
import { firstAtLeast } from "../domain/sorted-search.js"
import type { PlanContext } from "../plan/index.js"
import { dayKey, type PlanRecord, toRecord } from "../plan/index.js"
import { planContactRow, readRelated } from "./batch-input.js"
import { batchCounts, writeBatchRows } from "./batch-rows.js"
import { lineHash, type PlanLineFields, planLine } from "./checksums.js"
import { writeDeferredRows } from "./deferred-rows.js"
import { stopwatch } from "./elapsed.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { Batch } from "./load-plan.js"
import { numericKeys } from "./numeric-keys.js"
import { recordOn, type StagedRow } from "./staged-rows.js"
import { ByteReader, type StagingFile } from "./staging.js"
import { byLineOrder, type SentBatch, sendBatch } from "./thread-batches.js"
import { addCounts, differs, NO_WRITES, type WriteCounts } from "./write.js"

/**
 * Are a contact's stored rows, as read again now, the rows pass 1 planned with (the same ids, types, dates and statuses
 * in id order)? Rows pass 1 could not decode were not staged, and are left out of the comparison.
 */
export const sameKeys = (
  now: ReadonlyArray<StoredKey>,
  staged: ReadonlyArray<StoredKey>,
  undecodableIds: ReadonlySet<number>
): boolean => {
  let s = 0
  for (const key of now) {
    if (undecodableIds.has(key.id)) continue
    const then = staged[s++]
    if (
      then === undefined ||
      then.id !== key.id ||
      then.emailType !== key.emailType ||
      then.date !== key.date ||
      then.status !== key.status
    )
      return false
  }
  return s === staged.length
}

/**
 * Pass 2 of a run (spec §11 step 10, §12): batch by batch, in one transaction each, re-reads the keys and statuses of
 * the batch's stored rows (so a status the sender changed meanwhile is respected; when the change counter shows that
 * nobody wrote since pass 1, the keys pass 1 staged are those rows' keys), gives each staged row its balanced
 * day and writes with the smart update of §12.3: a row found unchanged in pass 1 that stays on its day costs nothing;
 * new rows are inserted; rows that meet another stored row are compared column by column. A contact whose stored
 * rows the sender changed after pass 1 is planned again from fresh rows. The plan checksum is computed here, from the
 * final rows sorted per contact (batches are in contact-id order). With a write thread, each batch goes to that thread
 * while this one prepares the next (run/thread-batches.ts); a batch it refuses or a batch taken back (a contact to
 * plan again) is written here, in order.
 */
export const writePlan = (options: {
  readonly db: Database
  readonly context: PlanContext
  readonly batches: ReadonlyArray<Batch>
  readonly items: ItemKeys
  readonly types: EmailTypeCodes
  readonly balanced: BalanceResult
  readonly staging: StagingFile
  readonly time: string
  readonly runId: string
  readonly now: string
  /** The change counter when the run started (db/change-tracking.ts), if change tracking is installed. */
  readonly startVersion: number | undefined
  readonly onProgress: (done: number) => void
  /** Runs after each batch's commit, outside any transaction (db/background-checkpoints.ts keeps the log small). */
  readonly betweenBatches: Effect.Effect<void>
  /** Whether `betweenBatches` would do anything now (the write thread is given a pause for it only then). */
  readonly logFull: () => boolean
  /** The thread that writes batches on its own connection (db/write-thread.ts), if any. */
  readonly thread?: WriteThread | undefined
}) =>
  Effect.gen(function* () {
    const { db, context, items, types, balanced, time } = options
    /** Rows of a campaign whose own row cannot be read are neither replaced nor deleted (see campaignSetup). */
    const untouchable = context.campaigns.untouchable
    const belongsToUnreadableCampaign = (campaignInstanceId: number | null) =>
      campaignInstanceId !== null && untouchable.has(campaignInstanceId)
    /** A stored row the plan leaves alone whatever it plans: handled by the sender, or of an unreadable campaign. */
    const stays = (key: StoredKey) => isHandledStatus(key.status) || belongsToUnreadableCampaign(key.campaignInstanceId)
    const planHash = lineHash()
    const writer = yield* planWriter(options.runId, options.now)
    let writes = NO_WRITES
    let enrollmentsUpdated = 0
    let batchesWritten = 0
    let keysReadAgain = 0
    let done = 0
    const sql = stopwatch()
    const keys = numericKeys()
    /** Changes the change counter counted in batches the write thread committed, and its time in them. */
    let threadChanges = 0
    let threadMs = 0
    let writtenByThread = 0
    const ownChanges = () => writer.countedChanges() + threadChanges

    /** Where balancing put a staged row, and the `moved` explanation it gets there (items are numbered per batch). */
    const finalDay = (batch: Batch, row: StagedRow): number =>
      row.item < 0 ? row.plannedDay : balanced.days[batch.itemStart + row.item]!
    const moveOf = (batch: Batch, row: StagedRow, day: number) =>
      day === row.startDay && row.startDay !== row.plannedDay
        ? { steps: row.holdSteps, jitter: row.holdJitter }
        : {
            steps: balanced.steps[batch.itemStart + row.item] ?? 0,
            jitter: balanced.jitter[batch.itemStart + row.item] ?? 0
          }
    /** The smart update of one contact from its full stored rows (the replanning path). */
    const writeContact = (records: ReadonlyArray<PlanRecord>, stored: ReadonlyArray<EmailScheduleRow>) =>
      Effect.gen(function* () {
        const byKey = new Map(stored.map((row) => [dayKey(row.email_type, row.scheduled_send_date), row]))
        const planKeys = new Set(records.map((record) => dayKey(record.emailType, record.date)))
        let inserted = 0
        let updated = 0
        let unchanged = 0
        let droppedHandled = 0
        for (const record of records) {
          const existing = byKey.get(dayKey(record.emailType, record.date))
          if (existing === undefined) {
            inserted++
            yield* writer.insert(record)
          } else if (isHandledStatus(existing.status) || belongsToUnreadableCampaign(existing.campaign_instance_id))
            droppedHandled++
          else if (differs(existing, record)) {
            updated++
            yield* writer.update(existing, record)
          } else unchanged++
        }
        yield* writer.flush
        const deletes = stored
          .filter(
            (row) =>
              !isHandledStatus(row.status) &&
              !belongsToUnreadableCampaign(row.campaign_instance_id) &&
              !planKeys.has(dayKey(row.email_type, row.scheduled_send_date))
          )
          .map((row) => row.id)
        yield* writer.deleteIds(deletes)
        const counts: WriteCounts = { inserted, updated, deleted: deletes.length, unchanged, droppedHandled }
        return counts
      })

    /** Plans contacts again from fresh rows, applies their balance decisions, and writes them (rare). */
    const replanContacts = (
      contactIds: ReadonlyArray<number>
    ): Effect.Effect<{ counts: WriteCounts; records: Array<PlanRecord> }, DatabaseError> =>
      Effect.gen(function* () {
        let counts = NO_WRITES
        const records: Array<PlanRecord> = []
        for (const contactId of contactIds) {
          const range = { firstId: contactId, lastId: contactId }
          const contact = (yield* db.contactsBetween(range)).rows[0]
          if (contact === undefined) continue
          const related = yield* readRelated(db, range)
          const { plan, enrollments } = planContactRow(contact, related, context)
          // Items are in contact-id order: the contact's are the run from the first one with its id.
          const start = firstAtLeast(items.contactId, contactId, items.length)
          let end = start
          while (end < items.length && items.contactId[end] === contactId) end++
          const finals = applyBalance(plan.rows, { start, end }, items, types, balanced).map((row) =>
            toRecord(row, time)
          )
          counts = addCounts(counts, yield* writeContact(finals, related.stored.rows))
          records.push(...finals)
          const updates = enrollments.flatMap((enrollment) => {
            const status = plan.enrollmentStatus.get(enrollment.id)
            return status !== undefined && status !== enrollment.status ? [{ id: enrollment.id, status }] : []
          })
          yield* writer.updateEnrollments(updates)
          enrollmentsUpdated += updates.length
        }
        return { counts, records }
      })

    /** Adds a written batch's counts, lines and progress. */
    const written = (batch: Batch, batchWrites: WriteCounts, batchLines: ReadonlyArray<PlanLineFields>) => {
      for (const line of batchLines) planHash.add(planLine(line))
      writes = addCounts(writes, batchWrites)
      if (batchWrites.inserted + batchWrites.updated + batchWrites.deleted > 0) batchesWritten++
      done += batch.contactIds.length
      options.onProgress(done)
    }

    /**
     * Writes a batch on the run's connection. `readAgain`: the stored rows are read again whatever the change counter
     * says (the write thread stopped without saying whether it committed the batch).
     */
    const writeHere = (batch: Batch, readAgain: boolean) =>
      Effect.gen(function* () {
        const recordContext = { typeNames: batch.typeNames, strings: batch.strings, time }
        const bytes = yield* options.staging.read(batch.extent)
        let batchLines: Array<PlanLineFields> = []

        // The counter is the run's start plus its own counted writes when nobody else wrote since pass 1 read the
        // batch: then the keys pass 1 staged are the stored keys now, and reading them again would only cost time.
        // Otherwise (and when a row of the batch could not be decoded, whose key pass 1 did not stage) they are read
        // again, and a contact whose rows changed is planned again. Read in the batch's transaction, before it drops
        // the counter's insert and update triggers (the run's own rows are not changes: db/change-tracking.ts
        // QUIET_TRIGGERS), as the write thread does.
        const trustedNow = Effect.gen(function* () {
          if (readAgain || options.startVersion === undefined || batch.undecodableIds.size > 0) return false
          return (yield* changeVersion) === options.startVersion + ownChanges()
        })
        const batchWrites = yield* db.withTransaction(
          Effect.flatMap(trustedNow, (trusted) =>
            withQuietTriggers(
              sql.time(
                Effect.gen(function* () {
                  // Decoded a contact at a time: a batch's rows as objects would be the write's largest use of
                  // memory. The reader starts here, so the transaction's body reads the batch from its start whenever
                  // it runs.
                  const reader = new ByteReader(bytes)
                  const existing = trusted ? undefined : yield* db.contactIdsBetween(batch)
                  const storedBy = new Map<number, Array<StoredKey>>()
                  if (!trusted) {
                    keysReadAgain++
                    for (const key of yield* db.storedKeysOf(batch)) {
                      const list = storedBy.get(key.contactId)
                      if (list === undefined) storedBy.set(key.contactId, [key])
                      else list.push(key)
                    }
                  }
                  const rows = yield* writeBatchRows(batch, reader, {
                    keys,
                    context: recordContext,
                    stays: (key) => batch.undecodableIds.has(key.id) || stays(key),
                    finalDay,
                    moveOf,
                    storedOf: (contactId, stagedKeys) => {
                      // Deleted since it was planned.
                      if (existing !== undefined && !existing.has(contactId)) return "gone"
                      if (trusted) return stagedKeys
                      const stored = storedBy.get(contactId) ?? []
                      return sameKeys(stored, stagedKeys, batch.undecodableIds) ? stored : "replan"
                    },
                    sink: writer
                  })
                  // The few rows that need a stored row's columns: comparisons, and unchanged rows balancing moved.
                  const late = yield* writeDeferredRows(rows.deferred, {
                    storedRows: db.emailSchedulesByIds,
                    record: (row, day, metadata) =>
                      recordOn(row, day, metadata, moveOf(batch, row, day), recordContext),
                    insert: writer.insert,
                    update: writer.update
                  })
                  const { deletes, lines } = rows
                  const replan = [...rows.replan, ...late.replan]
                  yield* writer.flush
                  yield* writer.deleteIds(deletes)
                  let counts = batchCounts(rows, late)

                  // Contacts whose stored rows changed after pass 1 read them: planned again, from fresh rows.
                  const replanned = [...new Set(replan)]
                  const replannedLines: Array<PlanLineFields> = []
                  if (replanned.length > 0) {
                    const again = yield* replanContacts(replanned)
                    counts = addCounts(counts, again.counts)
                    replannedLines.push(...again.records)
                  }
                  const replannedIds = new Set(replanned)
                  const enrollmentUpdates = batch.enrollmentUpdates.filter(
                    (update) => !replannedIds.has(update.contactId)
                  )
                  yield* writer.updateEnrollments(enrollmentUpdates)
                  enrollmentsUpdated += enrollmentUpdates.length

                  // The checksum lines of this batch, per contact in (email_type, scheduled_send_date) order. Without
                  // replanned contacts the lines are in contact order already, and only each contact's few lines need
                  // ordering.
                  if (replanned.length === 0) sortInPlace(lines, byLineOrder)
                  batchLines =
                    replanned.length === 0
                      ? lines
                      : [...lines.filter((line) => !replannedIds.has(line.contactId)), ...replannedLines].sort(
                          byLineOrder
                        )
                  return counts
                })
              )
            )
          )
        )
        written(batch, batchWrites, batchLines)
        yield* options.betweenBatches
        yield* yieldToEventLoop
      })

    const thread = options.thread
    let threadUsable = thread !== undefined && options.startVersion !== undefined
    /** Batches sent to the thread and not yet answered, oldest first. */
    const sent: Array<SentBatch> = []
    /** Takes the thread's answer for the oldest batch sent: counted when committed, else written here. */
    const settleOldest = (thread: WriteThread, oldest: SentBatch) =>
      Effect.gen(function* () {
        const answer = yield* thread.answer
        if (answer._tag === "returned") return yield* writeHere(oldest.batch, false)
        if (answer._tag === "committed") {
          threadChanges += answer.changes
          threadMs += answer.ms
          writtenByThread++
          written(oldest.batch, oldest.counts, oldest.lines)
          enrollmentsUpdated += oldest.batch.enrollmentUpdates.length
          return
        }
        if (threadUsable) {
          threadUsable = false
          yield* Effect.logWarning("The write thread stopped writing; the run's thread writes the rest.").pipe(
            Effect.annotateLogs({ cause: answer.reason ?? "the thread stopped" })
          )
        }
        yield* writeHere(oldest.batch, answer.unknown)
      })
    /**
     * Settles batches sent until at most `left` wait. The log is emptied when nothing is sent (the thread holds no
     * transaction then).
     */
    const settleDownTo = (thread: WriteThread, left: number) =>
      Effect.gen(function* () {
        const settleTo = (most: number) =>
          Effect.gen(function* () {
            while (sent.length > most) {
              const oldest = sent.shift()
              if (oldest !== undefined) yield* settleOldest(thread, oldest)
            }
          })
        yield* settleTo(left)
        if (options.logFull()) {
          yield* settleTo(0)
          yield* options.betweenBatches
        }
      })

    for (const [index, batch] of options.batches.entries()) {
      // The thread writes each batch while this thread prepares the next (sendBatch takes back a batch with a contact
      // to plan again).
      if (thread !== undefined && threadUsable && batch.undecodableIds.size === 0) {
        sent.push(
          yield* sendBatch(thread, {
            index,
            batch,
            bytes: yield* options.staging.read(batch.extent),
            expectedVersion: (options.startVersion ?? 0) + writer.countedChanges(),
            keys,
            stays,
            finalDay,
            moveOf,
            storedRows: db.emailSchedulesByIds,
            time,
            runId: options.runId,
            now: options.now
          })
        )
        // A batch taken back is written here once every earlier one is: batches are written in order.
        const last = sent.at(-1)
        if (last?.takenBack === true) yield* settleDownTo(thread, 0)
        else if (sent.length > 1) yield* settleDownTo(thread, 1)
        continue
      }
      if (thread !== undefined && sent.length > 0) yield* settleDownTo(thread, 0)
      yield* writeHere(batch, false)
    }
    if (thread !== undefined && sent.length > 0) yield* settleDownTo(thread, 0)

    return {
      writes,
      enrollmentsUpdated,
      planChecksum: planHash.hex(),
      batchesWritten,
      keysReadAgain,
      writtenByThread,
      ownChanges: ownChanges(),
      sqlMs: Math.round(sql.millis() + threadMs)
    }
  })
