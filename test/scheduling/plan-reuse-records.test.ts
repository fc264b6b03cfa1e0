import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { NO_LATEST_DAY } from "../../src/balance/index.js"
import {
  decodeFacts,
  HOLDS_FOREVER,
  type ReusedHandledRow,
  type ReusedRow,
  recordBuilder,
  recordStrings,
  recordsIn,
  VarintWriter
} from "../../src/run/plan-reuse.js"

const day = fc.integer({ min: 10_950, max: 47_482 }) // 2000-01-25 … 2100-01-01 as day numbers
const madeOn = day

const strings = recordStrings(["CA", "NY", "MO"], ["rate_increase", "initial_blast"], ["blast_v1", "sms_v1"])

/** Strings the codes know, and others (any text, written out). */
const text = fc.oneof(fc.constantFrom(...strings.values), fc.string({ unit: "grapheme", maxLength: 12 }))
const nullableText = fc.oneof(fc.constant(null), text)
const instanceId = fc.oneof(fc.constant(null), fc.integer({ min: -(2 ** 50), max: 2 ** 50 }))

const ownedRow = fc.record({
  id: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  startDay: day,
  plannedDay: day,
  latestDay: fc.oneof(day, fc.constant(NO_LATEST_DAY)),
  subjectToExclusions: fc.boolean(),
  held: fc.boolean(),
  holdSteps: fc.integer({ min: 0, max: 255 }),
  holdJitter: fc.integer({ min: -40, max: 40 }),
  skipped: fc.boolean(),
  emailType: text,
  skipReason: nullableText,
  priority: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
  campaignInstanceId: instanceId,
  emailTemplate: nullableText,
  smsTemplate: nullableText,
  eventDay: fc.oneof(fc.constant(undefined), day)
}) satisfies fc.Arbitrary<ReusedRow>

const handledRow = fc.record({
  id: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  day: fc.integer({ min: 0, max: 60_000 }),
  emailType: text,
  status: text,
  campaignInstanceId: instanceId
}) satisfies fc.Arbitrary<ReusedHandledRow>

const contact = fc
  .record({
    contactId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    holdsUntil: fc.oneof(day, fc.constant(HOLDS_FOREVER)),
    droppedHandled: fc.nat({ max: 20 }),
    droppedDuplicate: fc.nat({ max: 20 }),
    rows: fc.array(ownedRow, { maxLength: 12 }),
    handled: fc.array(handledRow, { maxLength: 12 })
  })
  .filter((c) => new Set([...c.rows, ...c.handled].map((row) => row.id)).size === c.rows.length + c.handled.length)

const written = (
  builder: ReturnType<typeof recordBuilder>,
  record: typeof contact extends fc.Arbitrary<infer A> ? A : never
) => {
  builder.begin()
  for (const row of record.rows) builder.row(row)
  for (const row of record.handled) builder.handled(row)
}

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
    "a batch's records read back as written: each contact's id, horizon, counts, owned rows in the plan's order and handled rows",
    [fc.array(contact, { maxLength: 30 }), madeOn],
    ([contacts, made]) => {
      const bytes = new VarintWriter()
      const builder = recordBuilder(strings, made)
      for (const record of contacts) {
        written(builder, record)
        assert.strictEqual(builder.rowCount(), record.rows.length)
        assert.isTrue(builder.usable())
        builder.appendTo(bytes, record.contactId, record.holdsUntil, record.droppedHandled, record.droppedDuplicate)
      }
      const read = [...recordsIn(bytes.bytes())]
      assert.strictEqual(read.length, contacts.length)
      read.forEach((stored, index) => {
        const record = contacts[index]!
        assert.strictEqual(stored.contactId, record.contactId)
        assert.strictEqual(stored.holdsUntil, record.holdsUntil)
        assert.deepStrictEqual(decodeFacts(stored.facts, strings, made, record.contactId), {
          droppedHandled: record.droppedHandled,
          droppedDuplicate: record.droppedDuplicate,
          rows: record.rows,
          handled: record.handled
        })
      })
    }
  )

  it.prop(
    "facts cut short, with a byte too many, another contact's, or naming a row twice read as none (the contact is then planned)",
    [contact.filter((c) => c.rows.length > 0), fc.integer({ min: 1 }), madeOn],
    ([record, cut, made]) => {
      const bytes = new VarintWriter()
      const builder = recordBuilder(strings, made)
      written(builder, record)
      builder.appendTo(bytes, record.contactId, record.holdsUntil, record.droppedHandled, record.droppedDuplicate)
      const [stored] = [...recordsIn(bytes.bytes())]
      assert.isDefined(stored)
      const facts = stored!.facts
      assert.isUndefined(
        decodeFacts(facts.subarray(0, facts.length - 1 - (cut % facts.length)), strings, made, record.contactId)
      )
      assert.isUndefined(decodeFacts(Uint8Array.from([...facts, 0]), strings, made, record.contactId))
      // Another contact's record.
      assert.isDefined(decodeFacts(facts, strings, made, record.contactId))
      assert.isUndefined(decodeFacts(facts, strings, made, record.contactId + 1))
      // The same stored row named twice, as two owned rows or as an owned and a handled row.
      const first = record.rows[0]!
      for (const twice of [
        { ...record, rows: [first, first], handled: [] },
        { ...record, rows: [first], handled: [{ ...record.handled[0], ...first, day: first.startDay, status: "sent" }] }
      ]) {
        const again = new VarintWriter()
        written(builder, twice)
        builder.appendTo(again, record.contactId, record.holdsUntil, 0, 0)
        const [doubled] = [...recordsIn(again.bytes())]
        assert.isUndefined(decodeFacts(doubled!.facts, strings, made, record.contactId))
      }
    }
  )

  it.prop(
    "a row a record cannot hold exactly (an id below 0 or beyond 2^53 − 1, a priority or instance beyond 2^50, a lone surrogate) makes no record",
    [
      contact.filter((c) => c.rows.length > 0),
      fc.constantFrom<Array<Partial<ReusedRow>>>(
        [{ id: -1 }],
        [{ id: 2 ** 53 }],
        [{ priority: 2 ** 51 }],
        [{ campaignInstanceId: -(2 ** 51) }],
        [{ priority: 0.5 }],
        [{ emailTemplate: "blast_\uD800" }],
        [{ skipReason: "\uDC00" }]
      ),
      madeOn
    ],
    ([record, [change], made]) => {
      const builder = recordBuilder(strings, made)
      written(builder, { ...record, rows: [{ ...record.rows[0]!, ...change }, ...record.rows.slice(1)] })
      assert.isFalse(builder.usable())
      const oddHandled = {
        id: 2 ** 52,
        day: 20_000,
        emailType: "birthday",
        status: "sent\uDBFF",
        campaignInstanceId: null
      }
      written(builder, { ...record, handled: [...record.handled, oddHandled] })
      assert.isFalse(builder.usable())
      written(builder, record)
      assert.isTrue(builder.usable())
    }
  )

  it.prop(
    "the record strings are the same whatever the order of the states, type names and templates they are made from",
    [fc.uniqueArray(fc.string(), { maxLength: 8 }), fc.uniqueArray(fc.string(), { maxLength: 8 })],
    ([names, templates]) => {
      const forward = recordStrings(["CA", "NY"], names, templates)
      const backward = recordStrings(["NY", "CA", "CA"], [...names].reverse(), [...templates, ...templates].reverse())
      assert.deepStrictEqual(forward.values, backward.values)
    }
  )
})
