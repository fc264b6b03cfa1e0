import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { firstAtLeast, sortedHas } from "../../src/domain/sorted-search.js"

const ascending = FastCheck.array(FastCheck.integer({ min: -50, max: 50 })).map((values) =>
  Int32Array.from(values).sort()
)

describe("searching an ascending Int32Array", () => {
  it.prop(
    "firstAtLeast is the first position whose value is ≥ the one sought, within the length given; sortedHas is includes",
    [ascending, FastCheck.integer({ min: -60, max: 60 }), FastCheck.nat()],
    ([sorted, value, cut]) => {
      const length = sorted.length === 0 ? 0 : cut % (sorted.length + 1)
      const expected = sorted.subarray(0, length).findIndex((entry) => entry >= value)
      assert.strictEqual(firstAtLeast(sorted, value, length), expected === -1 ? length : expected)
      assert.strictEqual(sortedHas(sorted, value), sorted.includes(value))
    }
  )
})
