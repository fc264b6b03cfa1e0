import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { NO_LATEST_DAY } from "../../src/balance/index.js"
import {
  decodeFacts,
  HOLDS_FOREVER,
  type ReusedRowFacts,
  recordBuilder,
  recordsIn,
  VarintWriter
} from "../../src/run/plan-reuse.js"

const day = fc.integer({ min: 10_950, max: 47_482 }) // 2000-01-25 … 2100-01-01 as day numbers

const row = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  plannedDay: day,
  latestDay: fc.oneof(day, fc.constant(NO_LATEST_DAY)),
  subjectToExclusions: fc.boolean(),
  held: fc.boolean(),
  holdSteps: fc.integer({ min: 0, max: 255 }),
  holdJitter: fc.integer({ min: -40, max: 40 }),
  startDay: day
})

const contact = fc.record({
  contactId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  holdsUntil: fc.oneof(day, fc.constant(HOLDS_FOREVER)),
  droppedHandled: fc.nat({ max: 20 }),
  droppedDuplicate: fc.nat({ max: 20 }),
  rows: fc.uniqueArray(row, { selector: (r) => r.id, maxLength: 12 })
})

/** LEB128 as the records have always been written (7 bits at a time, low first), through BigInt. */
const leb128 = (value: bigint): Array<number> => {
  const bytes: Array<number> = []
  let rest = value
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  bytes.push(Number(rest))
  return bytes
}

describe("plan reuse records (run/plan-reuse.ts)", () => {
  it.prop(
    "the writer's bytes are the LEB128 of each integer (zigzag for signed ones), in order, however many it holds",
    [
      fc.array(
        fc.oneof(
          fc.record({ signed: fc.constant(false), value: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
          fc.record({ signed: fc.constant(true), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }) })
        ),
        { maxLength: 600 }
      )
    ],
    ([values]) => {
      const writer = new VarintWriter()
      const expected: Array<number> = []
      for (const { signed, value } of values) {
        if (signed) writer.int(value)
        else writer.uint(value)
        const zigzag = signed ? (value >= 0 ? BigInt(value) * 2n : -BigInt(value) * 2n - 1n) : BigInt(value)
        expected.push(...leb128(zigzag))
      }
      assert.deepStrictEqual([...writer.bytes()], expected)
      assert.strictEqual(writer.length, expected.length)
    }
  )

  it.prop(
    "a batch's records read back as written: each contact's id, horizon, counts and rows in the plan's order",
    [fc.array(contact, { maxLength: 30 })],
    ([contacts]) => {
      const bytes = new VarintWriter()
      const builder = recordBuilder()
      for (const written of contacts) {
        builder.begin()
        for (const { startDay, ...fact } of written.rows) builder.row(fact, startDay)
        assert.strictEqual(builder.rowCount(), written.rows.length)
        builder.appendTo(bytes, written.contactId, written.holdsUntil, written.droppedHandled, written.droppedDuplicate)
      }
      const read = [...recordsIn(bytes.bytes())]
      assert.strictEqual(read.length, contacts.length)
      read.forEach((record, index) => {
        const written = contacts[index]!
        assert.strictEqual(record.contactId, written.contactId)
        assert.strictEqual(record.holdsUntil, written.holdsUntil)
        const starts = new Map(written.rows.map((r) => [r.id, r.startDay]))
        const facts = decodeFacts(record.facts, (id) => starts.get(id))
        const expected: Array<ReusedRowFacts> = written.rows.map(({ startDay: _, ...fact }) => fact)
        assert.deepStrictEqual(facts, {
          droppedHandled: written.droppedHandled,
          droppedDuplicate: written.droppedDuplicate,
          rows: expected
        })
      })
    }
  )

  it.prop(
    "facts that do not fit the stored rows, are cut short, or name a row twice read as none (the contact is then planned)",
    [contact.filter((c) => c.rows.length > 0), fc.integer({ min: 1 })],
    ([written, cut]) => {
      const bytes = new VarintWriter()
      const builder = recordBuilder()
      builder.begin()
      for (const { startDay, ...fact } of written.rows) builder.row(fact, startDay)
      builder.appendTo(bytes, written.contactId, written.holdsUntil, written.droppedHandled, written.droppedDuplicate)
      const [record] = [...recordsIn(bytes.bytes())]
      assert.isDefined(record)
      const starts = new Map(written.rows.map((r) => [r.id, r.startDay]))
      const facts = record!.facts
      assert.isUndefined(decodeFacts(facts, (id) => (id === written.rows[0]!.id ? undefined : starts.get(id))))
      assert.isUndefined(
        decodeFacts(facts.subarray(0, facts.length - 1 - (cut % facts.length)), (id) => starts.get(id))
      )
      assert.isUndefined(decodeFacts(Uint8Array.from([...facts, 0]), (id) => starts.get(id)))
      // The same stored row named twice.
      const twice = new VarintWriter()
      const again = recordBuilder()
      again.begin()
      const { startDay, ...first } = written.rows[0]!
      again.row(first, startDay)
      again.row(first, startDay)
      again.appendTo(twice, written.contactId, written.holdsUntil, 0, 0)
      const [doubled] = [...recordsIn(twice.bytes())]
      assert.isUndefined(decodeFacts(doubled!.facts, (id) => starts.get(id)))
    }
  )
})
