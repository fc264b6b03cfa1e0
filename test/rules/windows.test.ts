import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { addDays, dateFromDayNumber, dayNumber } from "../../src/domain/dates.js"
import type { StateCode } from "../../src/domain/states.js"
import { BASELINE, RULE_STATES, STATUTES_2026 } from "../../src/rules/rulesets.js"
import {
  clearRunAt,
  type ExclusionContext,
  exclusionAt,
  exclusionRanges,
  inRanges,
  rulesInForce,
  windowOf
} from "../../src/rules/windows.js"

const context = (ruleset = BASELINE, stateBuffers: Record<string, number> = {}): ExclusionContext => ({
  ruleset,
  defaultBuffer: 60,
  stateBuffers
})

describe("window test (spec §4.6)", () => {
  for (const ruleset of [BASELINE, STATUTES_2026]) {
    for (const rule of ruleset.rules.filter((r) => r.kind !== "year_round")) {
      it(`${rule.id}: both ends are inclusive`, () => {
        // A June anniversary in 2026 keeps the window clear of neighbouring years and of every rule's start date.
        const anniversaryDate = "1950-06-15"
        const subject = {
          state: rule.state,
          birthDate: rule.kind === "birthday" ? anniversaryDate : undefined,
          effectiveDate: rule.kind === "effective_date" ? anniversaryDate : undefined
        }
        const window = windowOf(rule, anniversaryDate, 2026, 60)
        if (!rulesInForce(ruleset, rule.state, window.start).includes(rule)) return // VA v1 ended in 2025
        for (const inside of [window.start, window.anchor, window.end]) {
          const hit = exclusionAt(context(ruleset), subject, inside)
          assert.strictEqual(hit?.rule.id, rule.id, `${inside} is inside`)
        }
        for (const outside of [addDays(window.start, -1), addDays(window.end, 1)]) {
          assert.isUndefined(exclusionAt(context(ruleset), subject, outside), `${outside} is outside`)
        }
        assert.strictEqual(window.start, addDays(window.anchor, -(rule.daysBefore + 60)))
        assert.strictEqual(window.end, addDays(window.anchor, rule.daysAfter))
      })
    }
  }

  it("NV anchors on the 1st of the birth month", () => {
    const hit = exclusionAt(context(), { state: "NV", birthDate: "1955-06-28", effectiveDate: undefined }, "2026-07-31")
    assert.deepStrictEqual(hit?.kind === "birthday" && [hit.anchor, hit.start, hit.end, hit.event], [
      "2026-06-01",
      "2026-04-02",
      "2026-07-31",
      "2026-06-28"
    ])
    assert.isUndefined(
      exclusionAt(context(), { state: "NV", birthDate: "1955-06-28", effectiveDate: undefined }, "2026-08-01")
    )
  })

  it("a January birthday excludes the previous December; Feb 29 anchors on Feb 28 in other years", () => {
    const january = { state: "CA" as const, birthDate: "1960-01-10", effectiveDate: undefined }
    assert.strictEqual(exclusionAt(context(), january, "2026-10-12")?.code, "birthday_window:CA")
    assert.isUndefined(exclusionAt(context(), january, "2026-10-11"))
    const leap = { state: "CA" as const, birthDate: "1952-02-29", effectiveDate: undefined }
    const hit = exclusionAt(context(), leap, "2027-04-29")
    assert.strictEqual(hit?.kind === "birthday" ? hit.anchor : undefined, "2027-02-28")
    assert.isUndefined(exclusionAt(context(), leap, "2027-09-15"))
  })

  it("tests kinds in order year_round, birthday, effective_date and uses the state buffer", () => {
    assert.strictEqual(
      exclusionAt(context(), { state: "NY", birthDate: "1950-01-01", effectiveDate: undefined }, "2026-05-05")?.code,
      "year_round:NY"
    )
    const mo = { state: "MO" as const, birthDate: "1950-07-20", effectiveDate: "2019-08-10" }
    assert.strictEqual(exclusionAt(context(), mo, "2026-07-06")?.code, "effective_date_window:MO")
    const ok = { state: "OK" as const, birthDate: "1950-06-15", effectiveDate: undefined }
    assert.strictEqual(exclusionAt(context(), ok, "2026-06-01")?.code, "birthday_window:OK")
    assert.isUndefined(exclusionAt(context(BASELINE, { OK: 0 }), ok, "2026-06-01"))
    assert.isUndefined(
      exclusionAt(context(), { state: undefined, birthDate: "1950-06-15", effectiveDate: undefined }, "2026-06-15")
    )
  })

  it("selects rule versions by the date tested (VA in statutes-2026)", () => {
    const va = { state: "VA" as const, birthDate: "1956-08-01", effectiveDate: undefined }
    assert.strictEqual(exclusionAt(context(STATUTES_2026), va, "2025-08-20")?.rule.id, "statutes-2026:VA:birthday:2")
    assert.strictEqual(exclusionAt(context(STATUTES_2026), va, "2024-08-20")?.rule.id, "statutes-2026:VA:birthday:1")
    assert.isUndefined(exclusionAt(context(STATUTES_2026), va, "2024-09-15"), "v1 ends 30 days after the birthday")
  })
})

describe("exclusion ranges (the fast form used by load balancing)", () => {
  it.prop(
    "agree with exclusionAt on every day of the covered years",
    [
      FastCheck.constantFrom(BASELINE, STATUTES_2026),
      FastCheck.constantFrom<StateCode>(...RULE_STATES, "TX"),
      FastCheck.option(
        FastCheck.integer({ min: dayNumber(1935, 1, 1), max: dayNumber(1961, 12, 31) }).map(dateFromDayNumber),
        { nil: undefined }
      ),
      FastCheck.option(FastCheck.constantFrom("2019-08-10", "2020-02-29", "2024-12-01"), { nil: undefined }),
      FastCheck.integer({ min: 2024, max: 2031 }),
      FastCheck.integer({ min: 0, max: 180 })
    ],
    ([ruleset, state, birthDate, effectiveDate, year, buffer]) => {
      const exclusion = { ruleset, defaultBuffer: buffer, stateBuffers: {} }
      const subject = { state, birthDate, effectiveDate }
      const ranges = exclusionRanges(exclusion, subject, year, year + 1)
      for (let day = dayNumber(year, 1, 1); day <= dayNumber(year + 1, 12, 31); day++) {
        const expected = exclusionAt(exclusion, subject, dateFromDayNumber(day)) !== undefined
        if (inRanges(ranges, day) !== expected) return false
      }
      return true
    },
    { fastCheck: { numRuns: 60 } }
  )

  it.prop(
    "a clear run holds no excluded day and is bounded by excluded days",
    [
      FastCheck.array(
        FastCheck.tuple(FastCheck.integer({ min: 0, max: 400 }), FastCheck.integer({ min: 0, max: 60 })),
        { maxLength: 8 }
      ),
      FastCheck.integer({ min: -20, max: 480 })
    ],
    ([spans, day]) => {
      const ranges = Int32Array.from(spans.flatMap(([start, length]) => [start, start + length]))
      if (inRanges(ranges, day)) return true
      const { from, to } = clearRunAt(ranges, day)
      for (let d = Math.max(from, -100); d <= Math.min(to, 600); d++) if (inRanges(ranges, d)) return false
      const boundedBelow = from === -(1 << 30) ? !spans.some(([start]) => start < day) : inRanges(ranges, from - 1)
      const boundedAbove = to === 1 << 30 ? !spans.some(([start]) => start > day) : inRanges(ranges, to + 1)
      return from <= day && day <= to && boundedBelow && boundedAbove
    }
  )
})
