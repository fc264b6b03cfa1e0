import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { RankSortScratch, sortByRank } from "../../src/balance/rank-sort.js"

describe("sortByRank (the cascade's order of a day's rows)", () => {
  it.prop(
    "orders indexes as a stable comparison sort does, below and above the radix sort's threshold",
    [
      FastCheck.integer({ min: 1, max: 6000 }),
      FastCheck.integer({ min: 0, max: 12_000 }),
      FastCheck.constantFrom(3, 1000, 70_000, 2 ** 31 - 1),
      FastCheck.integer()
    ],
    ([rankCount, length, distinct, seed]) => {
      // Few distinct ranks make ties; ranks of 2^16 and more exercise the second pass.
      const ranks = Int32Array.from(
        { length: rankCount },
        (_, i) => Math.abs(Math.imul(i + 1, 2_654_435_761) ^ seed) % distinct
      )
      const indexes = Int32Array.from({ length }, (_, i) => Math.abs(Math.imul(i, 40_503) ^ seed) % rankCount)
      const expected = [...indexes].map((index, at) => ({ index, at }))
      expected.sort((a, b) => ranks[a.index]! - ranks[b.index]! || a.at - b.at)
      const sorted = sortByRank(indexes, ranks, new RankSortScratch())
      assert.strictEqual(sorted, indexes, "sorted in place")
      assert.deepStrictEqual(
        [...sorted],
        expected.map(({ index }) => index)
      )
    },
    { fastCheck: { numRuns: 60 } }
  )

  it("reuses its scratch buffer across sorts of different sizes", () => {
    const ranks = Int32Array.from({ length: 10_000 }, (_, i) => (i * 40_503) % 100_003)
    const scratch = new RankSortScratch()
    for (const length of [9000, 3000, 10_000]) {
      const indexes = Int32Array.from({ length }, (_, i) => i)
      sortByRank(indexes, ranks, scratch)
      for (let i = 1; i < length; i++) assert.isAtMost(ranks[indexes[i - 1]!]!, ranks[indexes[i]!]!)
    }
  })
})
