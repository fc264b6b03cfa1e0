import { Effect } from "effect"
import { BalanceContacts, BalanceItems, EmailTypeCodes } from "../balance/index.js"
import type { ContactIdRange } from "../db/Database.js"
import { makeCensus, makePlanSummary } from "../plan/index.js"
import { malformedTally } from "./batch-input.js"
import { lineHash } from "./checksums.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { BatchPlan, BatchRange } from "./plan-batch.js"
import type { PlanningThread } from "./planning-thread.js"
import {
  ByteWriter,
  type PageStager,
  pageStager,
  type StagedExtent,
  type StagingError,
  type StagingFile
} from "./staging.js"

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
 * Memory holds one batch's plan at a time per planning thread, whatever the size of the organization, and of its
 * staged rows one page of contacts: each page's rows go to disk once planned (`pageStager`).
 */
export const loadAndPlan = <E, R>(options: {
  readonly ranges: ReadonlyArray<BatchRange>
  readonly plan: (range: BatchRange, stager: PageStager<StagingError>) => Effect.Effect<BatchPlan, E, R>
  /** A second thread that plans every other batch (run/planning-thread.ts); without it, this thread plans them all. */
  readonly thread?: PlanningThread | undefined
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
    let threadBatches = 0
    const staged = new ByteWriter()
    const merge = (plan: BatchPlan) =>
      Effect.gen(function* () {
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
          extent: plan.extent,
          planRows: plan.planRows,
          itemStart,
          typeNames: plan.typeNames,
          strings: plan.strings,
          contactIds: plan.contactIds,
          undecodableIds: new Set(plan.undecodableIds),
          enrollmentUpdates: plan.enrollmentUpdates
        })
        options.onProgress(census.result().total)
        yield* yieldToEventLoop
      })
    const planHere = (range: BatchRange) =>
      Effect.suspend(() => options.plan(range, pageStager(staged, options.staging.append)))
    const { thread, ranges } = options
    if (thread === undefined) {
      yield* Effect.forEach(ranges, (range) => Effect.flatMap(planHere(range), merge), { discard: true })
    } else {
      // This thread plans the even batches, the other the odd ones; the next odd batch is posted before this thread
      // merges the one just received, so the other thread never waits for a merge. A batch the other thread could not
      // plan (its memory limit, say) is planned here, and so is every later one: if the cause is the file, this
      // thread meets it too and the run fails with it.
      let usable = true
      const post = (index: number) =>
        usable && index < ranges.length ? thread.start(ranges[index]!) : Effect.succeed(undefined)
      let pending = yield* post(1)
      for (let index = 0; index < ranges.length; index += 2) {
        yield* Effect.flatMap(planHere(ranges[index]!), merge)
        const theirs = ranges[index + 1]
        if (theirs === undefined) break
        const received = pending === undefined ? undefined : yield* Effect.either(pending)
        if (received?._tag === "Left") {
          usable = false
          yield* Effect.logWarning("The second planning thread failed; the run's thread plans the rest.").pipe(
            Effect.annotateLogs({ cause: received.left.message })
          )
        }
        pending = yield* post(index + 3)
        if (received?._tag === "Right") {
          yield* merge(received.right)
          threadBatches++
        } else yield* Effect.flatMap(planHere(theirs), merge)
      }
    }
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
      storedRows,
      /** Batches the other thread planned. */
      threadBatches
    }
  })

export type PlannedRun = Effect.Effect.Success<ReturnType<typeof loadAndPlan>>
