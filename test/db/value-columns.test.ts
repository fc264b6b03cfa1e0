import { Worker } from "node:worker_threads"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import {
  ColumnBuffers,
  fillValues,
  transferables,
  ValueColumns,
  type ValueColumnsData
} from "../../src/db/value-columns.js"

/** Values a statement binds: integers of every size, other numbers, short and long strings of any characters, null. */
const value = FastCheck.oneof(
  FastCheck.integer(),
  FastCheck.maxSafeInteger(),
  FastCheck.double({ noNaN: true }),
  FastCheck.string({ maxLength: 8 }),
  FastCheck.string({ unit: "binary", minLength: 60, maxLength: 120 }),
  FastCheck.constantFrom("pre-scheduled", "skipped", "2026-11-30", "", "x".repeat(64), "x".repeat(65)),
  FastCheck.constant(null)
)

/** What `fillValues` gives back for the whole set, `chunk` values at a time (the thread's statements). */
const decoded = (data: ValueColumnsData, chunk: number): Array<unknown> => {
  const all: Array<unknown> = []
  for (let at = 0; at < data.length; at += chunk) {
    const into = new Array<unknown>(Math.min(chunk, data.length - at))
    fillValues(data, at, into.length, into)
    all.push(...into)
  }
  return all
}

describe("statement values in columns (write thread messages)", () => {
  it.prop(
    "gives back every value pushed, in order, whatever the chunks it is read in",
    [FastCheck.array(value, { maxLength: 300 }), FastCheck.integer({ min: 1, max: 40 })],
    ([values, chunk]) => {
      // A small capacity, so the columns grow while values are pushed.
      const columns = new ValueColumns(4)
      for (const v of values) columns.push(v)
      const data = columns.take()
      assert.strictEqual(data.length, values.length)
      assert.deepStrictEqual(decoded(data, chunk), values)
      // -0 is a number like any other: it stays -0, as it would through postMessage.
      values.forEach((v, k) => {
        if (Object.is(v, -0)) assert.isTrue(Object.is(decoded(data, 1)[k], -0))
      })
    }
  )

  it("starts empty after take, with tables of its own", () => {
    const columns = new ValueColumns(2)
    columns.push("birthday")
    columns.push(7)
    const first = columns.take()
    columns.push(null)
    columns.push("aep")
    const second = columns.take()
    assert.deepStrictEqual(decoded(first, 10), ["birthday", 7])
    assert.deepStrictEqual(decoded(second, 10), [null, "aep"])
    assert.deepStrictEqual(second.table, ["aep"])
    assert.deepStrictEqual(ValueColumns.of([3, "a", null]).length, 3)
  })

  it("takes its buffers from the pool given back, and only once it has a value", () => {
    const buffers = new ColumnBuffers()
    const columns = new ValueColumns(16, buffers)
    const first = columns.take()
    assert.strictEqual(first.kinds.length, 0)
    columns.push(1)
    const second = columns.take()
    assert.strictEqual(second.kinds.length, 16)
    buffers.give(second.numbers, second.kinds)
    columns.push("a")
    const third = columns.take()
    assert.strictEqual(third.kinds, second.kinds)
    assert.deepStrictEqual(decoded(third, 4), ["a"])
    assert.strictEqual(buffers.size, 0)
  })

  it("keeps a short string once in its table and a long one in its own list", () => {
    const long = `{"date_rule":"on_time","ideal_date":"2026-12-01","planned_date":"2026-12-01","v":1}`
    const data = ValueColumns.of(["birthday", long, "birthday", long, null])
    assert.deepStrictEqual(data.table, ["birthday"])
    assert.deepStrictEqual(data.long, [long, long])
  })

  it.effect("crosses to a thread with its buffers moved, and the thread's embedded decoder reads it", () =>
    Effect.gen(function* () {
      const values = [1, "2026-11-30", null, "x".repeat(200), -5.5, "skipped"]
      const data = ValueColumns.of(values)
      const worker = new Worker(
        `const { parentPort } = require("node:worker_threads")
         const fillValues = ${fillValues.toString()}
         parentPort.once("message", (data) => {
           const into = new Array(data.length)
           fillValues(data, 0, data.length, into)
           parentPort.postMessage(into)
         })`,
        { eval: true }
      )
      const back = yield* Effect.async<unknown>((resume) => {
        worker.once("message", (message: unknown) => resume(Effect.succeed(message)))
        worker.postMessage(data, transferables(data))
      }).pipe(Effect.ensuring(Effect.promise(() => worker.terminate())))
      assert.deepStrictEqual(back, values)
      // Moved, not copied: the sender's buffers are empty now.
      assert.strictEqual(data.numbers.byteLength, 0)
      assert.strictEqual(data.kinds.byteLength, 0)
    })
  )
})
