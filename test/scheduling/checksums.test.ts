import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import type { ContactRow } from "../../src/domain/contact.js"
import { contactLine, lineHash, type PlanLineFields, planLine } from "../../src/run/checksums.js"

/** Spec §12.5's lines written plainly: each value with String(), NULL as empty, joined by `|`. */
const plain = (values: ReadonlyArray<string | number | null>): string =>
  values.map((value) => (value === null ? "" : String(value))).join("|")

const referencePlanLine = (r: PlanLineFields): string =>
  plain([
    r.contactId,
    r.emailType,
    r.date,
    r.time,
    r.status,
    r.skipReason,
    r.priority,
    r.campaignInstanceId,
    r.eventYear === null
      ? null
      : `${r.eventYear}-${String(r.eventMonth).padStart(2, "0")}-${String(r.eventDay).padStart(2, "0")}`
  ])

const referenceContactLine = (row: ContactRow): string =>
  plain([row.id, row.email, row.zip_code, row.state, row.birth_date, row.effective_date, row.current_carrier])

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const text = FastCheck.string({ unit: "binary", maxLength: 12 })
const maybeText = FastCheck.option(text, { nil: null })
const number = FastCheck.oneof(FastCheck.integer(), FastCheck.double())
const maybeNumber = FastCheck.option(number, { nil: null })

describe("checksum lines (spec §12.5)", () => {
  it.prop(
    "a plan line is the spec's plain join, the event date's month and day padded to two digits",
    [
      FastCheck.record({
        contactId: FastCheck.integer(),
        emailType: text,
        date: text,
        time: text,
        status: FastCheck.constantFrom("pre-scheduled" as const, "skipped" as const),
        skipReason: maybeText,
        priority: number,
        campaignInstanceId: maybeNumber,
        eventYear: maybeNumber,
        eventMonth: maybeNumber,
        eventDay: maybeNumber
      })
    ],
    ([fields]) => planLine(fields) === referencePlanLine(fields)
  )

  it.prop(
    "a contact line is the spec's plain join of the raw values",
    [
      FastCheck.record({
        id: FastCheck.integer(),
        email: maybeText,
        current_carrier: maybeText,
        birth_date: maybeText,
        effective_date: maybeText,
        state: maybeText,
        zip_code: maybeText
      })
    ],
    ([row]) => contactLine(row) === referenceContactLine(row)
  )

  it.prop(
    "the hash of lines fed one by one is the SHA-256 of the lines joined by newlines, however long",
    [
      // A number stands for a line of that many characters, around the size of the pieces the hash is fed in.
      FastCheck.array(FastCheck.oneof(text, FastCheck.integer({ min: 30_000, max: 70_000 })), { maxLength: 12 })
    ],
    ([specs]) => {
      const lines = specs.map((spec) => (typeof spec === "number" ? "é".repeat(spec) : spec))
      const hash = lineHash()
      for (const line of lines) hash.add(line)
      return hash.hex() === sha256(lines.join("\n"))
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("hashes no lines as the empty text, and a plan line of a row with an event as the spec writes it", () => {
    assert.strictEqual(lineHash().hex(), sha256(""))
    assert.strictEqual(
      planLine({
        contactId: 7,
        emailType: "birthday",
        date: "2027-03-01",
        time: "08:30:00",
        status: "pre-scheduled",
        skipReason: null,
        priority: 10,
        campaignInstanceId: null,
        eventYear: 2027,
        eventMonth: 3,
        eventDay: 15
      }),
      "7|birthday|2027-03-01|08:30:00|pre-scheduled||10||2027-03-15"
    )
  })
})
