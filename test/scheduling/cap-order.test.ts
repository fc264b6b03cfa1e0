import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { capOrderRanks } from "../../src/balance/cap-order.js"

const item = FastCheck.record({
  contactId: FastCheck.integer({ min: 1, max: 2 ** 31 - 1 }),
  typeCode: FastCheck.integer({ min: 0, max: 4 }),
  priority: FastCheck.oneof(
    FastCheck.constantFrom(10, 20, 30),
    FastCheck.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
  )
})

/** Type names sort in another order than their codes, as `EmailTypeCodes.ranks` gives them. */
const typeRanks = Int32Array.of(3, 0, 4, 1, 2)

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0)

describe("the cap's order as ranks (spec §10.5)", () => {
  it.prop(
    "orders every pair of items as (priority, contact id, type name) does, ties included",
    [FastCheck.array(item, { maxLength: 80 }), FastCheck.boolean(), FastCheck.integer({ min: 1, max: 6 })],
    ([generated, byContact, contacts]) => {
      // Few contacts, so contacts hold several items and ties happen; listed by contact or in any order.
      const drawn = generated.map((x) => ({ ...x, contactId: (x.contactId % contacts) + 1 }))
      const list = byContact ? [...drawn].sort((a, b) => a.contactId - b.contactId) : drawn
      const items = {
        length: list.length,
        priority: Int32Array.from(list, (x) => x.priority),
        contactId: Int32Array.from(list, (x) => x.contactId),
        typeCode: Uint16Array.from(list, (x) => x.typeCode)
      }
      const ranks = capOrderRanks(items, typeRanks)
      const compare = (a: number, b: number) =>
        sign(list[a]!.priority - list[b]!.priority) ||
        sign(list[a]!.contactId - list[b]!.contactId) ||
        sign(typeRanks[list[a]!.typeCode]! - typeRanks[list[b]!.typeCode]!)
      for (let a = 0; a < list.length; a++) {
        for (let b = 0; b < list.length; b++) {
          if (sign(ranks[a]! - ranks[b]!) !== compare(a, b)) return false
        }
      }
      return true
    }
  )

  it("gives equal items one rank and orders priorities before contacts", () => {
    const items = {
      length: 5,
      priority: Int32Array.of(30, 10, 30, 30, 10),
      contactId: Int32Array.of(1, 1, 1, 2, 2),
      typeCode: Uint16Array.of(0, 0, 0, 1, 0)
    }
    assert.deepStrictEqual([...capOrderRanks(items, Int32Array.of(0, 1))], [2, 0, 2, 4, 1])
  })
})
