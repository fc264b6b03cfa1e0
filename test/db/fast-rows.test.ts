import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"
import {
  CONTACT_COLUMNS,
  decodeContactValues,
  decodeEmailScheduleValues,
  EMAIL_SCHEDULE_COLUMNS
} from "../../src/db/fast-rows.js"
import { ContactRow } from "../../src/domain/contact.js"
import { EmailScheduleRow } from "../../src/domain/email.js"

/** What SQLite can hand back for a column, and a few things it cannot (undefined, a bigint, a huge integer). */
const sqliteValue = FastCheck.oneof(
  FastCheck.constant(null),
  FastCheck.string({ maxLength: 12 }),
  FastCheck.integer(),
  FastCheck.constantFrom(2 ** 53, -(2 ** 53), 1.5, Number.NaN, 0),
  FastCheck.double(),
  FastCheck.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
  FastCheck.constant(undefined),
  FastCheck.bigInt()
)

/** Mostly well-formed rows, so both sides of the property are exercised. */
const rowOf = (wellFormed: ReadonlyArray<FastCheck.Arbitrary<unknown>>) =>
  FastCheck.tuple(
    ...wellFormed.map((arbitrary) => FastCheck.oneof({ arbitrary, weight: 6 }, { arbitrary: sqliteValue, weight: 1 }))
  )

const intColumn = FastCheck.integer({ min: 0, max: 1_000_000 })
const textOrNull = FastCheck.option(FastCheck.string({ maxLength: 12 }), { nil: null })
const intOrNull = FastCheck.option(intColumn, { nil: null })

const agrees = <A, I>(
  schema: Schema.Schema<A, I>,
  columns: ReadonlyArray<string>,
  decode: (rows: ReadonlyArray<ReadonlyArray<unknown>>) => {
    readonly rows: ReadonlyArray<A>
    readonly malformed: ReadonlyArray<unknown>
  },
  values: ReadonlyArray<unknown>
) => {
  const viaSchema = Schema.decodeUnknownEither(schema)(Object.fromEntries(columns.map((c, i) => [c, values[i]])))
  const fast = decode([values])
  if (Either.isRight(viaSchema)) {
    assert.deepStrictEqual(fast.rows, [viaSchema.right])
    assert.strictEqual(fast.malformed.length, 0)
  } else {
    assert.deepStrictEqual(fast.rows, [])
    assert.strictEqual(fast.malformed.length, 1)
  }
}

describe("cheap row checks accept exactly what the row Schemas accept", () => {
  it.prop(
    "contacts",
    [rowOf([intColumn, textOrNull, textOrNull, textOrNull, textOrNull, textOrNull, textOrNull])],
    ([values]) => agrees(ContactRow, CONTACT_COLUMNS, decodeContactValues, values)
  )

  it.prop(
    "email_schedules",
    [
      rowOf([
        intColumn,
        intColumn,
        FastCheck.string({ maxLength: 12 }),
        FastCheck.string({ maxLength: 12 }),
        textOrNull,
        FastCheck.string({ maxLength: 12 }),
        textOrNull,
        intOrNull,
        intOrNull,
        textOrNull,
        textOrNull,
        intOrNull,
        intOrNull,
        intOrNull,
        textOrNull,
        textOrNull,
        textOrNull
      ])
    ],
    ([values]) => agrees(EmailScheduleRow, EMAIL_SCHEDULE_COLUMNS, decodeEmailScheduleValues, values)
  )

  it("a malformed row names its table, id and column", () => {
    const { rows, malformed } = decodeEmailScheduleValues([
      [
        7,
        1,
        "aep",
        "2026-09-15",
        "08:30:00",
        "pre-scheduled",
        null,
        "high",
        null,
        null,
        null,
        2026,
        9,
        15,
        null,
        "{}",
        null
      ]
    ])
    assert.strictEqual(rows.length, 0)
    assert.strictEqual(malformed[0]?.table, "email_schedules")
    assert.strictEqual(malformed[0]?.id, 7)
    assert.match(malformed[0]?.problem ?? "", /priority/)
  })
})
