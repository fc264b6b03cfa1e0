import { Effect } from "effect"
import { BalanceContacts, BalanceItems, EmailTypeCodes } from "../balance/index.js"
import type { ContactIdRange } from "../db/Database.js"
import { makeCensus, makePlanSummary } from "../plan/index.js"
import { malformedTally } from "./batch-input.js"
import { lineHash } from "./checksums.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { BatchPlan, BatchRange } from "./plan-batch.js"
import { ByteWriter, type StagedExtent, type StagingFile } from "./staging.js"

/** One write batch as pass 2 needs it: its range, where its staged rows are, and what it checks before using them. */
export interface Batch extends ContactIdRange {
  readonly extent: StagedExtent
  readonly planRows: number
  /** Run-wide index of the batch's first balance item (staged rows number their items within the batch). */
  readonly itemStart: number
  /** The batch's own codes of the staged rows. */
  readonly typeNames: ReadonlyArray<string>
  readonly strings: ReadonlyArray<string | null>
  readonly contactIds: Int32Array
  readonly storedHashes: Float64Array
  readonly undecodableIds: ReadonlySet<number>
  readonly enrollmentUpdates: ReadonlyArray<{
    readonly id: number
    readonly status: string
    readonly contactId: number
  }>
}

/** The batches of a run: `batchSize` contacts each, by ascending id (spec §12.2), from the ids of every contact row. */
export const batchRanges = (ids: ReadonlyArray<number>, batchSize: number): ReadonlyArray<BatchRange> => {
  const ranges: Array<BatchRange> = []
  let after = 0
  for (let end = batchSize - 1; after < (ids.at(-1) ?? 0); end += batchSize) {
    const lastId = ids[Math.min(end, ids.length - 1)]!
    ranges.push({ index: ranges.length, firstId: after + 1, lastId })
    after = lastId
  }
  return ranges
}

/**
 * Pass 1 of a run (spec §11 steps 2–8): plans every batch and takes the results in batch order: each batch's staged
 * rows go to the staging file, and what load balancing needs joins the run's typed columns, with the plan's summary.
 * Memory holds one batch's plan at a time, whatever the size of the organization. The batches are planned one after
 * the other into one staging buffer, emptied once its batch is on disk: it grows to the largest batch once instead of
 * doubling from 1 MiB in every batch (copying about two batches' bytes each time).
 */
export const loadAndPlan = <E, R>(options: {
  readonly ranges: ReadonlyArray<BatchRange>
  readonly plan: (range: BatchRange, staged: ByteWriter) => Effect.Effect<BatchPlan, E, R>
  readonly staging: StagingFile
  readonly onProgress: (done: number) => void
}) =>
  Effect.gen(function* () {
    const census = makeCensus()
    const contactsHash = lineHash()
    const summary = makePlanSummary()
    const malformed = malformedTally()
    const warnings = new Set<string>()
    const items = new BalanceItems()
    const contacts = new BalanceContacts()
    const types = new EmailTypeCodes()
    const batches: Array<Batch> = []
    let droppedHandled = 0
    let droppedDuplicate = 0
    let newRows = 0
    let storedRows = 0
    const staged = new ByteWriter()
    yield* Effect.forEach(
      options.ranges,
      (range) =>
        Effect.gen(function* () {
          staged.reset()
          const plan = yield* options.plan(range, staged)
          const typeCodes = plan.typeNames.map((name) => types.code(name))
          const itemStart = items.length
          items.append(plan.items, typeCodes, contacts.length)
          contacts.append(plan.owners, typeCodes)
          census.addCensus(plan.census)
          if (plan.contactLines !== "") contactsHash.add(plan.contactLines)
          summary.addSummary(plan.summary)
          malformed.add(plan.malformedRows.sample)
          malformed.addUncounted(plan.malformedRows.count - plan.malformedRows.sample.length)
          for (const warning of plan.warnings) warnings.add(warning)
          droppedHandled += plan.droppedHandled
          droppedDuplicate += plan.droppedDuplicate
          newRows += plan.newRows
          storedRows += plan.storedRows
          batches.push({
            firstId: plan.firstId,
            lastId: plan.lastId,
            extent: yield* options.staging.append(plan.staged),
            planRows: plan.planRows,
            itemStart,
            typeNames: plan.typeNames,
            strings: plan.strings,
            contactIds: plan.contactIds,
            storedHashes: plan.storedHashes,
            undecodableIds: new Set(plan.undecodableIds),
            enrollmentUpdates: plan.enrollmentUpdates
          })
          options.onProgress(census.result().total)
          yield* yieldToEventLoop
        }),
      { discard: true }
    )
    staged.release()
    items.trim()
    contacts.trim()
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
      newRows,
      storedRows
    }
  })

export type PlannedRun = Effect.Effect.Success<ReturnType<typeof loadAndPlan>>
