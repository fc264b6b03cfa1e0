import { Effect } from "effect"
import type { StoredKey } from "../db/Database.js"
import { enrollmentValues, pushNewRowValues } from "../db/plan-writes.js"
import { ROWS_PER_MESSAGE, type WriteThread } from "../db/write-thread.js"
import { sortInPlace } from "../domain/sort-in-place.js"
import type { PlanLineFields } from "./checksums.js"
import type { Batch } from "./load-plan.js"
import type { NumericKeys } from "./numeric-keys.js"
import { lineOn, readRowsOf, readStoredKeys, recordOn, type StagedRow } from "./staged-rows.js"
import { ByteReader } from "./staging.js"

/** A batch sent to the write thread, with what the run counts once the thread has committed it. */
export interface SentBatch {
  readonly batch: Batch
  /** Taken back: the run writes it (the thread rolled back what it had). */
  readonly takenBack: boolean
  readonly inserted: number
  /** Planned rows that met a row the sender handled on their day (spec §12.3): not written. */
  readonly droppedHandled: number
  /** The batch's plan checksum lines, in checksum order, added to the checksum only once the batch is written. */
  readonly lines: ReadonlyArray<PlanLineFields>
}

/** Checksum lines per contact, then by email type and date (spec §12.5). */
export const byLineOrder = (a: PlanLineFields, b: PlanLineFields): number =>
  a.contactId - b.contactId ||
  (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)

/**
 * Sends a batch to the write thread when all it writes is new rows (a first run's batch: its contacts' stored rows
 * are the sender's, and stay). Each staged row is classified as the run's own write does (write-plan.ts): on the day
 * balancing gave it, a row that meets no stored row is new, built by `recordOn` and sent `ROWS_PER_MESSAGE` rows at
 * a time while the thread inserts the previous ones; one that meets a row the sender handled is dropped. Any other
 * write (a stored row of ours to update or delete, a row without its explanation) takes the batch back: the thread
 * rolls back what it has, and the run writes the batch itself.
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
    readonly time: string
    readonly now: string
  }
): Effect.Effect<SentBatch> =>
  Effect.gen(function* () {
    const { index, batch, keys } = options
    const context = { typeNames: batch.typeNames, strings: batch.strings, time: options.time }
    const typeCodes = keys.batchTypeCodes(batch.typeNames)
    const reader = new ByteReader(options.bytes)
    const lines: Array<PlanLineFields> = []
    const takeBack = Effect.sync((): SentBatch => {
      thread.abandon(index)
      return { batch, takenBack: true, inserted: 0, droppedHandled: 0, lines: [] }
    })
    let values: Array<unknown> = []
    let inserted = 0
    let droppedHandled = 0
    thread.begin(index, options.expectedVersion)
    for (const contactId of batch.contactIds) {
      const stored = readStoredKeys(reader, contactId, batch.strings)
      const staged = readRowsOf(reader, contactId)
      // Stored rows that are not the sender's would be updated or deleted by the plan.
      if (!stored.every(options.stays)) return yield* takeBack
      const byKey = stored.length === 0 ? undefined : new Map(stored.map((key) => [keys.stored(key), key]))
      for (const row of staged) {
        const day = options.finalDay(batch, row)
        const line = lineOn(row, day, context)
        lines.push(line)
        if (byKey?.has(keys.planned(typeCodes[row.typeCode]!, day))) {
          droppedHandled++
          continue
        }
        if (row.metadata === undefined) return yield* takeBack
        pushNewRowValues(values, recordOn(row, day, row.metadata, options.moveOf(batch, row, day), context, line))
        if (++inserted % ROWS_PER_MESSAGE === 0) {
          yield* thread.rows(index, values)
          values = []
        }
      }
    }
    if (values.length > 0) yield* thread.rows(index, values)
    thread.end(
      index,
      batch.enrollmentUpdates.map((update) => enrollmentValues(update, options.now))
    )
    sortInPlace(lines, byLineOrder)
    return { batch, takenBack: false, inserted, droppedHandled, lines }
  })
