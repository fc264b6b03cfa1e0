/**
 * The planning thread's program (run/planning-thread.ts starts it): its own read-only connection to the run's file
 * plans each batch the run posts, exactly as the run's thread plans the others (run/plan-batch.ts), and posts the
 * batch's plan back, its buffers moved rather than copied.
 */
import { parentPort, workerData } from "node:worker_threads"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Effect, Layer, ManagedRuntime } from "effect"
import { Database } from "../db/Database.js"
import { describeCause, sqliteCodeIn } from "../db/errors.js"
import type { BatchRange } from "./plan-batch.js"
import { planBatch } from "./plan-batch.js"
import {
  claimBatch,
  type PlanningAnswer,
  type PlanningInput,
  type PostedRange,
  planningContext,
  transferList
} from "./planning-thread.js"
import { ByteWriter, pageStager, threadStagingAppender } from "./staging.js"

// Made by startPlanningThread of the same build from a typed PlanningInput.
const input: PlanningInput = workerData
const port = parentPort
if (port !== null) {
  // Read-only, and it leaves the journal mode alone: the run sets it (a first run's write may leave WAL for a while,
  // db/rollback-journal.ts), and a read-only connection asking for WAL on a file not in WAL mode fails.
  const runtime = ManagedRuntime.make(
    Database.Default.pipe(Layer.provide(SqliteClient.layer({ filename: input.path, readonly: true, disableWAL: true })))
  )
  const context = planningContext(input)
  const writer = new ByteWriter()
  const append = threadStagingAppender(input.stagingDescriptor)
  const planOne = (range: BatchRange) =>
    Effect.gen(function* () {
      // The batch's rows go to the thread's own staging file, a page at a time: never to the run's thread.
      return yield* planBatch(
        yield* Database,
        range,
        context,
        input.time,
        pageStager(writer, (bytes) => Effect.sync(() => append(bytes))),
        input.reuse
      )
    })
  // One batch at a time, in the order posted: the run merges them in batch order. A batch the run's thread claimed
  // first (it had nothing else to do) is answered at once.
  let queue = Promise.resolve()
  port.on("message", ({ range, claim }: PostedRange) => {
    queue = queue.then(() => {
      if (!claimBatch(claim)) {
        const answer: PlanningAnswer = { _tag: "takenBack" }
        port.postMessage(answer)
        return
      }
      return runtime.runPromiseExit(planOne(range)).then((exit) => {
        if (exit._tag === "Success") {
          const answer: PlanningAnswer = { _tag: "planned", plan: exit.value }
          port.postMessage(answer, transferList(exit.value))
        } else {
          const error = Cause.squash(exit.cause)
          const answer: PlanningAnswer = { _tag: "failed", message: describeCause(error), code: sqliteCodeIn(error) }
          port.postMessage(answer)
        }
      })
    })
  })
}
