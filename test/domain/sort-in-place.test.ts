import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { sortInPlace } from "../../src/domain/sort-in-place.js"

describe("sorting in place", () => {
  it.prop(
    "gives the order of the stable Array.prototype.sort, in the same array",
    [FastCheck.array(FastCheck.record({ key: FastCheck.integer({ min: 0, max: 5 }), tag: FastCheck.nat() }))],
    ([items]) => {
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key
      const list = [...items]
      assert.strictEqual(sortInPlace(list, byKey), list)
      assert.deepStrictEqual(list, [...items].sort(byKey))
    }
  )
})
