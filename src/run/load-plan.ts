import { Effect } from "effect"
import { BalanceContacts, BalanceItems, EmailTypeCodes } from "../balance/index.js"
import type { ContactIdRange } from "../db/Database.js"
import { makeCensus, makePlanSummary } from "../plan/index.js"
import { malformedTally } from "./batch-input.js"
import { lineHash } from "./checksums.js"
import { yieldToEventLoop } from "./event-loop.js"
import type { BatchPlan, BatchRange } from "./plan-batch.js"
import type { PlanningThread, PostedBatch } from "./planning-thread.js"
import {
  ByteWriter,
  type PageStager,
  pageStager,
  type StagedExtent,
  type StagingError,
  type StagingFile
} from "./staging.js"

/** Batches waiting for the other planning thread, so that it never waits for this one. */
const THREAD_QUEUE = 2
/** Plans this thread keeps unmerged while the batch before them is the other thread's. */
const AHEAD = 2

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
  /** A second thread that plans batches too (run/planning-thread.ts); without it, this thread plans them all. */
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
    let reused = 0
    const staleRecords: Array<Int32Array> = []
    /** Where each batch's records are in the staging file: at 3 M they are some 100 MB, stored after the write. */
    const reuseRecords: Array<StagedExtent> = []
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
        reused += plan.reused
        staleRecords.push(plan.staleRecords)
        reuseRecords.push(yield* options.staging.append(plan.reuseRecords))
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
      // Batches go to whichever thread is free, and are merged in batch order. The other thread always has up to
      // THREAD_QUEUE batches waiting, so it never waits for this one; this thread plans the next batch not yet
      // handed out, keeping at most AHEAD plans unmerged while it waits for one of the other thread's. (Handed out
      // even and odd, each thread waited for the other after every pair: 2.9 s of a 62 s pass 1 at 1 M.)
      // A batch the other thread could not plan (its memory limit, say) is planned here, and so is every batch not
      // handed out yet: if the cause is the file, this thread meets it too and the run fails with it.
      let usable = true
      let next = 1
      let merged = 0
      const posted: Array<PostedBatch> = []
      const unmerged = new Map<number, BatchPlan>()
      const handOut = Effect.gen(function* () {
        while (usable && posted.length < THREAD_QUEUE && next < ranges.length) {
          posted.push(yield* thread.start(ranges[next++]!))
        }
      })
      const planOwn = (index: number) => Effect.map(planHere(ranges[index]!), (plan) => unmerged.set(index, plan))
      /** The latest posted batch the other thread has not begun, taken back from it (its index); or undefined. */
      const takeBackLatest = (): number | undefined => {
        for (let at = posted.length - 1; at >= 0; at--) {
          const batch = posted[at]!
          if (!batch.answered() && batch.takeBack()) {
            posted.splice(at, 1)
            return batch.index
          }
        }
        return undefined
      }
      const receive = (batch: PostedBatch) =>
        Effect.gen(function* () {
          const received = yield* Effect.either(batch.plan)
          if (received._tag === "Right") {
            unmerged.set(batch.index, received.right)
            threadBatches++
            return
          }
          if (usable) {
            usable = false
            yield* Effect.logWarning("The second planning thread failed; the run's thread plans the rest.").pipe(
              Effect.annotateLogs({ cause: received.left.message })
            )
          }
          yield* planOwn(batch.index)
        })
      yield* handOut
      if (ranges.length > 0) yield* planOwn(0)
      while (merged < ranges.length) {
        yield* handOut
        const plan = unmerged.get(merged)
        if (plan !== undefined) {
          unmerged.delete(merged)
          yield* merge(plan)
          merged++
        } else if (posted[0]?.index === merged && posted[0].answered()) yield* receive(posted.shift()!)
        else if (next < ranges.length && unmerged.size < AHEAD) {
          yield* planOwn(next++)
          // Lets the other thread's answers in, so that the next turn sees them.
          yield* yieldToEventLoop
        } else {
          // Nothing left to hand out: rather than wait for the other thread's whole queue (the last THREAD_QUEUE
          // batches would end pass 1 on one thread), this thread plans the latest batch the other has not begun.
          const taken = next === ranges.length ? takeBackLatest() : undefined
          if (taken !== undefined) {
            yield* planOwn(taken)
            yield* yieldToEventLoop
            continue
          }
          // Batch `merged` is the other thread's oldest (every earlier batch is merged, every later one handed out
          // is queued after it): wait for it.
          const oldest = posted.shift()
          if (oldest === undefined) return yield* Effect.dieMessage(`batch ${merged} was never handed out`)
          yield* receive(oldest)
        }
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
      threadBatches,
      /** Contacts staged from their plan reuse records (run/plan-reuse.ts). */
      reused,
      /** Contacts with a record that were planned again, by batch. */
      staleRecords,
      /** Where each batch's plan reuse records (run/plan-reuse.ts `recordBuilder`) are in the staging file. */
      reuseRecords
    }
  })

export type PlannedRun = Effect.Effect.Success<ReturnType<typeof loadAndPlan>>
