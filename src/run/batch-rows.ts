import { Effect } from "effect"
import type { StoredKey } from "../db/Database.js"
import type { PlanRecord } from "../plan/index.js"
import type { PlanLineFields } from "./checksums.js"
import { type DeferredRows, noDeferredRows } from "./deferred-rows.js"
import type { Batch } from "./load-plan.js"
import type { NumericKeys } from "./numeric-keys.js"
import { lineOn, type RecordContext, readRowsOf, readStoredKeys, recordOn, type StagedRow } from "./staged-rows.js"
import type { ByteReader } from "./staging.js"
import type { WriteCounts } from "./write.js"

/** Where a batch's writes go: the run's own connection (db/plan-writes.ts) or the write thread's messages. */
export interface RowSink<E> {
  /** Buffers a new row; true when the buffer is full and `flushInserts` must run (no effect per row: millions). */
  readonly bufferInsert: (record: PlanRecord) => boolean
  readonly flushInserts: Effect.Effect<void, E>
  /** Rewrites stored row `stored.id` as `record`. */
  readonly update: (stored: StoredKey, record: PlanRecord) => Effect.Effect<void, E>
}

/** What the smart update of a batch's staged rows decided, before its deferred rows and deletes are written. */
export interface BatchRows {
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
  readonly droppedHandled: number
  /** Stored rows of ours the plan no longer has, in contact order. */
  readonly deletes: ReadonlyArray<number>
  readonly deferred: DeferredRows
  /** Contacts whose stored rows are not those pass 1 planned with: planned again, or the batch written elsewhere. */
  readonly replan: ReadonlyArray<number>
  /** The checksum lines of the rows written here, in contact order. */
  readonly lines: Array<PlanLineFields>
}

/**
 * The smart update of one batch's staged rows (spec §12.3), contact by contact: each staged row on the day balancing
 * gave it meets the contact's stored row with its key, if any. No stored row: a new row (deferred when pass 1 did not
 * stage its explanation). A row the sender handled, or one `stays` names: dropped. The row pass 1 found equal, or
 * found different and staged, on that very day: left alone, or updated. Any other stored row: deferred, to compare
 * column by column. A stored row of ours the plan no longer has is deleted.
 *
 * `storedOf` gives the contact's stored keys now (pass 1's `staged` keys when nobody wrote since), `"gone"` for a
 * contact deleted since, or `"replan"` for one whose rows changed.
 */
export const writeBatchRows = <E>(
  batch: Batch,
  reader: ByteReader,
  options: {
    readonly keys: NumericKeys
    readonly context: RecordContext
    readonly stays: (key: StoredKey) => boolean
    readonly finalDay: (batch: Batch, row: StagedRow) => number
    readonly moveOf: (batch: Batch, row: StagedRow, day: number) => { readonly steps: number; readonly jitter: number }
    readonly storedOf: (
      contactId: number,
      staged: ReadonlyArray<StoredKey>
    ) => ReadonlyArray<StoredKey> | "gone" | "replan"
    readonly sink: RowSink<E>
  }
): Effect.Effect<BatchRows, E> =>
  Effect.gen(function* () {
    const { keys, context, sink } = options
    const typeCodes = keys.batchTypeCodes(batch.typeNames)
    let inserted = 0
    let updated = 0
    let unchanged = 0
    let droppedHandled = 0
    const deletes: Array<number> = []
    const deferred = noDeferredRows()
    const replan: Array<number> = []
    const lines: Array<PlanLineFields> = []
    /** The numeric keys of the contact's stored rows, by position (one array for the whole batch). */
    const storedNumbers: Array<number> = []

    for (const contactId of batch.contactIds) {
      const stagedKeys = readStoredKeys(reader, contactId, batch.strings)
      const staged = readRowsOf(reader, contactId)
      const stored = options.storedOf(contactId, stagedKeys)
      if (stored === "gone") continue
      if (stored === "replan") {
        replan.push(contactId)
        continue
      }
      // A contact without stored rows (every contact of a first run but the sender's) needs no key lookups.
      const byKey = stored.length === 0 ? undefined : new Map<number, StoredKey>()
      storedNumbers.length = 0
      for (const key of stored) {
        const number = keys.stored(key)
        storedNumbers.push(number)
        byKey?.set(number, key)
      }
      const finalKeys = new Set<number>()
      for (const row of staged) {
        const day = options.finalDay(batch, row)
        const line = lineOn(row, day, context)
        lines.push(line)
        let found: StoredKey | undefined
        if (byKey !== undefined) {
          const key = keys.planned(typeCodes[row.typeCode]!, day)
          finalKeys.add(key)
          found = byKey.get(key)
        }
        if (found === undefined) {
          if (row.metadata === undefined) deferred.insertsWithoutMetadata.push({ row, day })
          else {
            inserted++
            const record = recordOn(row, day, row.metadata, options.moveOf(batch, row, day), context, line)
            if (sink.bufferInsert(record)) yield* sink.flushInserts
          }
        } else if (options.stays(found)) droppedHandled++
        else if (found.id === row.unchangedId && day === row.startDay) unchanged++
        else if (found.id === row.differsFromId && day === row.startDay && row.metadata !== undefined) {
          // Pass 1 compared this very row (same id, key and status: the contact's keys are as it read them).
          updated++
          yield* sink.update(found, recordOn(row, day, row.metadata, options.moveOf(batch, row, day), context, line))
        } else deferred.comparisons.push({ storedId: found.id, row, day })
      }
      for (const [position, key] of stored.entries()) {
        if (!options.stays(key) && !finalKeys.has(storedNumbers[position]!)) deletes.push(key.id)
      }
    }
    return { inserted, updated, unchanged, droppedHandled, deletes, deferred, replan, lines }
  })

/** A batch's counts: its rows' decisions and those of its deferred rows (`writeDeferredRows`). */
export const batchCounts = (
  rows: BatchRows,
  late: { readonly inserted: number; readonly updated: number; readonly unchanged: number }
): WriteCounts => ({
  inserted: rows.inserted + late.inserted,
  updated: rows.updated + late.updated,
  deleted: rows.deletes.length,
  unchanged: rows.unchanged + late.unchanged,
  droppedHandled: rows.droppedHandled
})
