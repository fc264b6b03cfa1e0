import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { Effect } from "effect"
import { MalformedRow } from "../db/decode.js"
import { DatabaseError } from "../db/errors.js"
import { CampaignInstanceRow, CampaignTypeRow } from "../domain/campaign.js"
import type { IsoDate } from "../domain/dates.js"
import { campaignSetup, type PlanContext } from "../plan/index.js"
import type { ExclusionContext } from "../rules/windows.js"
import type { Settings } from "../settings/settings.js"
import type { BatchPlan, BatchRange } from "./plan-batch.js"

/**
 * What the planning thread needs to plan exactly as the run's own thread does: the file, and the inputs of the run's
 * plan context as plain data (the campaign rows as the run read them, not read again: both threads plan with the
 * same campaigns whatever changes meanwhile).
 */
export interface PlanningInput {
  readonly path: string
  readonly today: IsoDate
  readonly settings: Settings
  readonly exclusion: ExclusionContext
  readonly campaignTypes: ReadonlyArray<CampaignTypeRow>
  readonly campaignInstances: ReadonlyArray<CampaignInstanceRow>
  readonly unreadableTypes: ReadonlyArray<MalformedRow>
  readonly unreadableInstances: ReadonlyArray<MalformedRow>
  readonly time: string
  /** The thread's staging file (run/staging.ts `threadStagingAppender`). */
  readonly stagingDescriptor: number
  /** Whether contacts with a valid plan reuse record are staged from it (run/plan-reuse.ts). */
  readonly reuse: boolean
}

/** The worker's answer to one batch: `takenBack` when the run's thread claimed the batch before the worker began it. */
export type PlanningAnswer =
  | { readonly _tag: "planned"; readonly plan: BatchPlan }
  | { readonly _tag: "failed"; readonly message: string; readonly code: string | undefined }
  | { readonly _tag: "takenBack" }

/**
 * A batch as posted to the worker. `claim` is one shared 32-bit cell: whichever thread first changes it from
 * `UNCLAIMED` plans the batch, so the run's thread can take back a batch the worker has not begun without a race.
 */
export interface PostedRange {
  readonly range: BatchRange
  readonly claim: SharedArrayBuffer
}

const UNCLAIMED = 0
const CLAIMED = 1

/** Claims a posted batch for the calling thread; false when the other thread claimed it first. */
export const claimBatch = (claim: SharedArrayBuffer): boolean =>
  Atomics.compareExchange(new Int32Array(claim), 0, UNCLAIMED, CLAIMED) === UNCLAIMED

/** Rows arrive as plain objects (a structured clone keeps fields, not classes): made into their classes again. */
const malformedRows = (rows: ReadonlyArray<MalformedRow>) => rows.map((row) => new MalformedRow({ ...row }))

/** The run's plan context, rebuilt from its inputs (plan/campaigns.ts is a pure function of them). */
export const planningContext = (input: PlanningInput): PlanContext => ({
  today: input.today,
  settings: input.settings,
  exclusion: input.exclusion,
  campaigns: campaignSetup(
    input.campaignTypes.map((row) => new CampaignTypeRow({ ...row })),
    input.campaignInstances.map((row) => new CampaignInstanceRow({ ...row })),
    input.today,
    { types: malformedRows(input.unreadableTypes), instances: malformedRows(input.unreadableInstances) }
  )
})

/** A batch plan received from the worker, its malformed rows made `MalformedRow`s again (their `message` is a getter). */
const revived = (plan: BatchPlan): BatchPlan => ({
  ...plan,
  census: {
    ...plan.census,
    malformed: { ...plan.census.malformed, sample: malformedRows(plan.census.malformed.sample) }
  },
  malformedRows: { ...plan.malformedRows, sample: malformedRows(plan.malformedRows.sample) }
})

/** The buffers a batch plan owns alone, moved to the run's thread instead of copied. */
export const transferList = (plan: BatchPlan): Array<ArrayBuffer> => {
  const arrays = [
    plan.contactIds,
    plan.staleRecords,
    plan.reuseRecords,
    plan.items.contactId,
    plan.items.typeCode,
    plan.items.plannedDay,
    plan.items.priority,
    plan.items.latestDay,
    plan.items.eventYear,
    plan.items.subjectToExclusions,
    plan.items.owner,
    plan.items.heldDay,
    plan.owners.keysStart,
    plan.owners.keys,
    plan.owners.stateCode,
    plan.owners.birthDay,
    plan.owners.effectiveDay
  ]
  const buffers = new Set<ArrayBuffer>()
  for (const array of arrays) if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer)
  return [...buffers]
}

/**
 * The planning thread's heap limit. Its live data is one batch's plan without its rows (staged to disk a page at a
 * time): a few MB at 25,000 contacts. The limit keeps it from taking the process's own (1 GiB in the image); a batch
 * that does not fit (a much larger `batch_size`) is planned by the run's thread.
 */
const PLANNING_HEAP_MB = 64

/**
 * The planning thread's young generation: what the 8 MB semi-spaces the scheduler runs with give (two of them and a
 * large-object space; src/cli/runtime-settings.ts). Left to the host's flags, a host started with plain `node` gives
 * the thread 32 MB semi-spaces: a 1 M-contact night then planned in 73 s and peaked at 930 MB, against 54 s and
 * 828 MB with this limit (BENCHMARKS.md, session 14).
 */
const PLANNING_YOUNG_GENERATION_MB = 24

/** Whether the script exists: a run from the TypeScript sources (the tests) has none, and plans on one thread. */
export const planningScriptExists = (script: URL): boolean => existsSync(fileURLToPath(script))

/** The CLI bundle's planning thread, as seen from tsc's build of this module (`dist/src/run`). */
const BUNDLED_SCRIPT = new URL("../cli/bundle/plan-worker.js", import.meta.url)

/**
 * The planning thread's script. The build makes it twice: beside this module (tsc) and beside the CLI bundle's chunks
 * (esbuild, which finds its own as `./plan-worker.js`). The bundle's is used wherever it exists: the thread starts in
 * about 0.25 s from it against 0.65–0.85 s from tsc's modules (some 700 files to resolve and compile), time in which
 * the thread plans nothing. Both come from the same build (`npm run build`), so they speak the same protocol.
 */
export const PLANNING_SCRIPT = planningScriptExists(BUNDLED_SCRIPT)
  ? BUNDLED_SCRIPT
  : new URL("./plan-worker.js", import.meta.url)

const failure = (range: BatchRange, message: string, code: string | undefined) =>
  new DatabaseError({
    operation: `plan contacts ${range.firstId}–${range.lastId} on the second thread`,
    cause: Object.assign(new Error(message), code === undefined ? {} : { code })
  })

/** A batch posted to the planning thread. */
export interface PostedBatch {
  readonly index: number
  /** Whether its answer has arrived (`plan` then does not wait). */
  readonly answered: () => boolean
  /**
   * Takes the batch back if the worker has not begun it: true when the caller must plan it (the worker then answers
   * `takenBack`, and `plan` must not be awaited).
   */
  readonly takeBack: () => boolean
  /** Waits for its plan. */
  readonly plan: Effect.Effect<BatchPlan, DatabaseError>
}

/**
 * Starts the planning thread (issue 11: planning is pure per contact, and pass 1 is most of a night). `start(range)`
 * posts a batch at once and returns it as a `PostedBatch`; batches are answered in the order posted.
 * The thread is terminated when the scope closes: it only reads, so stopping it at any moment loses nothing. Fails
 * (UnknownException) only when the thread cannot be started at all.
 */
export const startPlanningThread = (script: URL, input: PlanningInput) =>
  Effect.acquireRelease(
    Effect.try(() => {
      // Throws at once when the input cannot be copied to a thread (a host's ruleset holding functions, say).
      const worker = new Worker(script, {
        workerData: input,
        resourceLimits: {
          maxOldGenerationSizeMb: PLANNING_HEAP_MB,
          maxYoungGenerationSizeMb: PLANNING_YOUNG_GENERATION_MB
        }
      })
      // Answers come in the order the batches were posted.
      const waiting: Array<(answer: PlanningAnswer) => void> = []
      let ended: PlanningAnswer | undefined
      const endAll = (answer: PlanningAnswer) => {
        ended = answer
        for (const resolve of waiting.splice(0)) resolve(answer)
      }
      worker.on("message", (answer: PlanningAnswer) => waiting.shift()?.(answer))
      worker.on("error", (error) => endAll({ _tag: "failed", message: error.message, code: undefined }))
      worker.on("exit", (code) =>
        endAll({ _tag: "failed", message: `the planning thread stopped (exit code ${code})`, code: undefined })
      )
      const start = (range: BatchRange) =>
        Effect.sync((): PostedBatch => {
          const posted: PostedRange = { range, claim: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) }
          const answer =
            ended === undefined
              ? new Promise<PlanningAnswer>((resolve) => {
                  waiting.push(resolve)
                  worker.postMessage(posted)
                })
              : Promise.resolve(ended)
          let answered = false
          void answer.then(() => {
            answered = true
          })
          return {
            index: range.index,
            answered: () => answered,
            takeBack: () => claimBatch(posted.claim),
            plan: Effect.flatMap(
              Effect.promise(() => answer),
              (received): Effect.Effect<BatchPlan, DatabaseError> =>
                received._tag === "planned"
                  ? Effect.succeed(revived(received.plan))
                  : received._tag === "takenBack"
                    ? Effect.dieMessage(`batch ${range.index} was taken back: the run's thread plans it`)
                    : Effect.fail(failure(range, received.message, received.code))
            )
          }
        })
      return { worker, start }
    }),
    ({ worker }) => Effect.promise(() => worker.terminate())
  ).pipe(Effect.map(({ start }) => ({ start })))

export type PlanningThread = Effect.Effect.Success<ReturnType<typeof startPlanningThread>>
