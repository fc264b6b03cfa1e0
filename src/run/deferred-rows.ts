import { Effect } from "effect"
import type { DatabaseError } from "../db/errors.js"
import type { EmailScheduleRow } from "../domain/email.js"
import type { PlanRecord } from "../plan/index.js"
import type { StagedRow } from "./staged-rows.js"
import { withoutMoved } from "./staged-rows.js"
import { differs } from "./write.js"

/**
 * The rows of a batch whose write needs a stored row's columns (a few per batch, when balancing moved a row off the
 * day pass 1 compared it on): each written once every other row of the batch is.
 */
export interface DeferredRows {
  /** Planned rows that meet a stored owned row on their key, other than the one pass 1 found equal. */
  readonly comparisons: Array<{ readonly storedId: number; readonly row: StagedRow; readonly day: number }>
  /** New rows whose explanation pass 1 did not stage (it found them unchanged on another day). */
  readonly insertsWithoutMetadata: Array<{ readonly row: StagedRow; readonly day: number }>
}

export const noDeferredRows = (): DeferredRows => ({ comparisons: [], insertsWithoutMetadata: [] })

/**
 * Writes the deferred rows of a batch (spec §12.3): reads the stored rows they need, inserts the new rows with the
 * explanation of the stored row they were found equal to, then updates each compared row that differs. A row whose
 * stored row is gone, or whose explanation cannot be found, names its contact in `replan`: its stored rows changed
 * after pass 1 read them.
 */
export const writeDeferredRows = <E>(
  deferred: DeferredRows,
  options: {
    readonly storedRows: (ids: ReadonlyArray<number>) => Effect.Effect<ReadonlyArray<EmailScheduleRow>, DatabaseError>
    readonly record: (row: StagedRow, day: number, metadata: string) => PlanRecord
    readonly insert: (record: PlanRecord) => Effect.Effect<void, E>
    readonly update: (stored: EmailScheduleRow, record: PlanRecord) => Effect.Effect<void, E>
  }
) =>
  Effect.gen(function* () {
    const { comparisons, insertsWithoutMetadata } = deferred
    const needed = new Set<number>()
    for (const { storedId, row } of comparisons) {
      needed.add(storedId)
      if (row.metadata === undefined && row.unchangedId !== undefined) needed.add(row.unchangedId)
    }
    for (const { row } of insertsWithoutMetadata) if (row.unchangedId !== undefined) needed.add(row.unchangedId)
    const storedRows = new Map<number, EmailScheduleRow>()
    if (needed.size > 0) {
      for (const row of yield* options.storedRows([...needed])) storedRows.set(row.id, row)
    }
    const plannedMetadata = (row: StagedRow): string | undefined => {
      if (row.metadata !== undefined) return row.metadata
      const source = row.unchangedId === undefined ? undefined : storedRows.get(row.unchangedId)?.metadata
      if (source === undefined || source === null) return undefined
      return row.startDay === row.plannedDay ? source : withoutMoved(source)
    }
    let inserted = 0
    let updated = 0
    let unchanged = 0
    const replan: Array<number> = []
    for (const { row, day } of insertsWithoutMetadata) {
      const metadata = plannedMetadata(row)
      if (metadata === undefined) {
        replan.push(row.contactId)
        continue
      }
      inserted++
      yield* options.insert(options.record(row, day, metadata))
    }
    for (const { storedId, row, day } of comparisons) {
      const stored = storedRows.get(storedId)
      const metadata = plannedMetadata(row)
      if (stored === undefined || metadata === undefined) {
        replan.push(row.contactId)
        continue
      }
      const record = options.record(row, day, metadata)
      if (differs(stored, record)) {
        updated++
        yield* options.update(stored, record)
      } else unchanged++
    }
    return { inserted, updated, unchanged, replan }
  })
