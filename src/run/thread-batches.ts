import { Effect } from "effect"
import type { StoredKey } from "../db/Database.js"
import type { DatabaseError } from "../db/errors.js"
import {
  enrollmentValues,
  NEW_ROW_VALUES,
  pushNewRowValues,
  pushUpdateValues,
  updateValuesPerRow
} from "../db/plan-writes.js"
import { ValueColumns } from "../db/value-columns.js"
import { ROWS_PER_MESSAGE, type WriteForm, type WriteThread } from "../db/write-thread.js"
import type { EmailScheduleRow } from "../domain/email.js"
import { sortInPlace } from "../domain/sort-in-place.js"
import type { PlanRecord } from "../plan/index.js"
import { batchCounts, writeBatchRows } from "./batch-rows.js"
import type { PlanLineFields } from "./checksums.js"
import { writeDeferredRows } from "./deferred-rows.js"
import type { Batch } from "./load-plan.js"
import type { NumericKeys } from "./numeric-keys.js"
import { recordOn, type StagedRow } from "./staged-rows.js"
import { ByteReader } from "./staging.js"
import { NO_WRITES, type WriteCounts } from "./write.js"

/** A batch sent to the write thread, with what the run counts once the thread has committed it. */
export interface SentBatch {
  readonly batch: Batch
  /** Taken back: the run writes it (the thread rolled back what it had). */
  readonly takenBack: boolean
  /** What the batch writes (spec §12.3), counted once the thread has committed it. */
  readonly counts: WriteCounts
  /** The batch's plan checksum lines, in checksum order, added to the checksum only once the batch is written. */
  readonly lines: ReadonlyArray<PlanLineFields>
}

/** Checksum lines per contact, then by email type and date (spec §12.5). */
export const byLineOrder = (a: PlanLineFields, b: PlanLineFields): number =>
  a.contactId - b.contactId ||
  (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)

/**
 * Rows of one form waiting for a message: sent `ROWS_PER_MESSAGE` rows at a time while the thread writes the previous
 * ones.
 */
const outbox = (thread: WriteThread, index: number, form: WriteForm, valuesPerRow: number) => {
  const values = new ValueColumns(ROWS_PER_MESSAGE * valuesPerRow, thread.buffers)
  let rows = 0
  const send = Effect.suspend(() => {
    if (rows === 0) return Effect.void
    rows = 0
    return thread.rows(index, form, values.take())
  })
  return {
    values,
    /** Counts the row just pushed onto `values`: true when the message is full and `send` must run. */
    full: () => ++rows === ROWS_PER_MESSAGE,
    /** Counts the row just pushed onto `values`, and sends the message when it is full. */
    added: () => (++rows === ROWS_PER_MESSAGE ? send : Effect.void),
    send
  }
}

/**
 * Sends a batch to the write thread when nobody wrote since pass 1 read it: the run's trust check (write-plan.ts), which
 * the thread checks again when it opens the batch. The batch's staged rows get the smart update the run's own write
 * gives them (`writeBatchRows`, `writeDeferredRows`), with the writes sent to the thread `ROWS_PER_MESSAGE` rows at a
 * time while it writes the previous ones, and the deletes last, as the run's thread deletes. The few stored rows the
 * deferred rows need are read on the run's connection: a change to them after pass 1 makes the thread refuse the batch.
 * A contact whose rows must be planned again takes the batch back: the thread rolls back what it has, and the run
 * writes the batch itself.
 */
export const sendBatch = (
  thread: WriteThread,
  options: {
    readonly index: number
    readonly batch: Batch
    readonly bytes: Buffer
    /** The change counter the thread must find, before its own counted writes. */
    readonly expectedVersion: number
    readonly keys: NumericKeys
    /** Is a stored row left alone whatever the plan (handled by the sender, or of an unreadable campaign)? */
    readonly stays: (key: StoredKey) => boolean
    readonly finalDay: (batch: Batch, row: StagedRow) => number
    readonly moveOf: (batch: Batch, row: StagedRow, day: number) => { readonly steps: number; readonly jitter: number }
    readonly storedRows: (ids: ReadonlyArray<number>) => Effect.Effect<ReadonlyArray<EmailScheduleRow>, DatabaseError>
    readonly time: string
    readonly runId: string
    readonly now: string
  }
): Effect.Effect<SentBatch, DatabaseError> =>
  Effect.gen(function* () {
    const { index, batch } = options
    const context = { typeNames: batch.typeNames, strings: batch.strings, time: options.time }
    const inserts = outbox(thread, index, "insert", NEW_ROW_VALUES)
    const updates = outbox(thread, index, "update", updateValuesPerRow(false))
    const updatesWithStatus = outbox(thread, index, "updateWithStatus", updateValuesPerRow(true))
    const insert = (record: PlanRecord) => {
      pushNewRowValues(inserts.values, record)
      return inserts.added()
    }
    const update = (stored: { readonly id: number; readonly status: string }, record: PlanRecord) => {
      const withStatus = stored.status !== record.status
      const outgoing = withStatus ? updatesWithStatus : updates
      pushUpdateValues(outgoing.values, stored.id, withStatus, record, options.runId, options.now)
      return outgoing.added()
    }
    thread.begin(index, options.expectedVersion)
    const rows = yield* writeBatchRows(batch, new ByteReader(options.bytes), {
      keys: options.keys,
      context,
      stays: options.stays,
      finalDay: options.finalDay,
      moveOf: options.moveOf,
      storedOf: (_, staged) => staged,
      sink: {
        bufferInsert: (record) => {
          pushNewRowValues(inserts.values, record)
          return inserts.full()
        },
        flushInserts: inserts.send,
        update
      }
    })
    const late = yield* writeDeferredRows(rows.deferred, {
      storedRows: options.storedRows,
      record: (row, day, metadata) => recordOn(row, day, metadata, options.moveOf(batch, row, day), context),
      insert,
      update
    })
    if (rows.replan.length > 0 || late.replan.length > 0) {
      thread.abandon(index)
      return { batch, takenBack: true, counts: NO_WRITES, lines: [] }
    }
    yield* inserts.send
    yield* updates.send
    yield* updatesWithStatus.send
    if (rows.deletes.length > 0) yield* thread.rows(index, "delete", ValueColumns.of(rows.deletes, thread.buffers))
    thread.end(
      index,
      batch.enrollmentUpdates.map((update) => enrollmentValues(update, options.now))
    )
    sortInPlace(rows.lines, byLineOrder)
    return { batch, takenBack: false, counts: batchCounts(rows, late), lines: rows.lines }
  })
