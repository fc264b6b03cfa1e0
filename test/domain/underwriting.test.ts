import { assert, describe, it } from "@effect/vitest"
import { ContactEventRow, failedUnderwriting, metadataObject } from "../../src/domain/events.js"

let nextId = 1
const answer = (created_at: string, metadata: string | null, id = nextId++, event_type = "eligibility_answered") =>
  ContactEventRow.make({ id, contact_id: 81, event_type, metadata, created_at })

describe("failed underwriting (spec §3.5)", () => {
  it("E31: the latest answer decides", () => {
    assert.isTrue(
      failedUnderwriting([
        answer("2026-03-01 10:00:00", '{"has_medical_conditions": false}'),
        answer("2026-04-01 10:00:00", '{"has_medical_conditions": "true"}')
      ])
    )
    assert.isFalse(
      failedUnderwriting([
        answer("2026-04-01 10:00:00", '{"has_medical_conditions": true}'),
        answer("2026-05-01 10:00:00", '{"has_medical_conditions": false}')
      ])
    )
  })

  it("matches JSON true and the string true in any case, trimmed", () => {
    for (const value of ["true", '"true"', '" TRUE "', '"True"']) {
      assert.isTrue(failedUnderwriting([answer("2026-01-01", `{"has_medical_conditions": ${value}}`)]), value)
    }
    for (const value of ["false", '"yes"', "1", "null", '"truthy"']) {
      assert.isFalse(failedUnderwriting([answer("2026-01-01", `{"has_medical_conditions": ${value}}`)]), value)
    }
  })

  it("compares timestamps as text with T replaced, first 19 characters; ties go to the greatest id", () => {
    const events = [
      answer("2026-04-01T09:00:00Z", '{"has_medical_conditions": true}', 10),
      answer("2026-04-01 08:59:59", '{"has_medical_conditions": false}', 11)
    ]
    assert.isTrue(failedUnderwriting(events), "09:00 beats 08:59 although its id is lower")
    const tie = [
      answer("2026-04-01 09:00:00", '{"has_medical_conditions": false}', 20),
      answer("2026-04-01T09:00:00.123Z", '{"has_medical_conditions": true}', 21)
    ]
    assert.isTrue(failedUnderwriting(tie), "same 19 characters: greatest id wins")
  })

  it("ignores other event types and treats non-object metadata as {}", () => {
    assert.isFalse(
      failedUnderwriting([answer("2026-01-01", '{"has_medical_conditions": true}', 30, "quote_requested")])
    )
    for (const text of ["not json", "[true]", "true", '"x"', null])
      assert.deepStrictEqual(metadataObject(text), {}, String(text))
  })
})
