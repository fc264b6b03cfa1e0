import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import {
  addDays,
  anniversary,
  civilFromDayNumber,
  dateFromDayNumber,
  dayNumber,
  dayNumberOf,
  daysBetween,
  isLeapYear,
  parseIsoDate,
  readLooseDate,
  toDayNumber
} from "../../src/domain/dates.js"

describe("calendar dates (spec §1.1)", () => {
  it("knows leap years", () => {
    assert.deepStrictEqual([1900, 2000, 2024, 2026, 2100].map(isLeapYear), [false, true, true, false, false])
  })

  it("numbers days from 1970-01-01", () => {
    assert.strictEqual(dayNumber(1970, 1, 1), 0)
    assert.strictEqual(dayNumber(2000, 3, 1), 11017)
    assert.strictEqual(toDayNumber("2026-11-29"), 20786)
    assert.strictEqual(dateFromDayNumber(-1), "1969-12-31")
  })

  it("adds days across month, year and leap boundaries", () => {
    assert.strictEqual(addDays("2028-02-28", 1), "2028-02-29")
    assert.strictEqual(addDays("2027-02-28", 1), "2027-03-01")
    assert.strictEqual(addDays("2026-12-31", 1), "2027-01-01")
    assert.strictEqual(addDays("2026-03-17", -90), "2025-12-17")
    assert.strictEqual(daysBetween("2026-05-01", "2026-05-06"), 5)
  })

  it.prop(
    "day numbers and civil dates round-trip",
    [FastCheck.integer({ min: dayNumber(1800, 1, 1), max: dayNumber(2200, 12, 31) })],
    ([days]) => {
      const { year, month, day } = civilFromDayNumber(days)
      return dayNumber(year, month, day) === days && toDayNumber(dateFromDayNumber(days)) === days
    }
  )

  it.prop(
    "a day number is read from exactly the texts parseIsoDate reads, and any other text is refused (or undefined)",
    [
      FastCheck.oneof(
        FastCheck.string({ unit: FastCheck.constantFrom("0", "1", "2", "9", "-", "x", " "), maxLength: 11 }),
        FastCheck.tuple(
          FastCheck.integer({ min: 0, max: 9999 }),
          FastCheck.integer({ min: 0, max: 13 }),
          FastCheck.integer({ min: 0, max: 32 })
        ).map(
          ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`
        )
      )
    ],
    ([text]) => {
      const parsed = parseIsoDate(text)
      if (parsed === undefined) {
        assert.throws(() => toDayNumber(text), RangeError)
        assert.isUndefined(dayNumberOf(text))
      } else {
        assert.strictEqual(toDayNumber(text), dayNumber(parsed.year, parsed.month, parsed.day))
        assert.strictEqual(dayNumberOf(text), dayNumber(parsed.year, parsed.month, parsed.day))
      }
    }
  )

  it("anniversary turns Feb 29 into Feb 28 in non-leap years, and only then", () => {
    assert.strictEqual(anniversary("1956-02-29", 2027), "2027-02-28")
    assert.strictEqual(anniversary("1956-02-29", 2028), "2028-02-29")
    assert.strictEqual(anniversary("1958-06-15", 2026), "2026-06-15")
  })

  it("parses only real calendar dates", () => {
    assert.deepStrictEqual(parseIsoDate("2024-02-29"), { year: 2024, month: 2, day: 29 })
    for (const bad of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "06/15/1950", "2026-06-1x", ""]) {
      assert.isUndefined(parseIsoDate(bad), bad)
    }
  })
})

describe("dates in contact rows (spec §3.3)", () => {
  const cases: ReadonlyArray<readonly [string | null, string]> = [
    [null, "Missing"],
    ["", "Missing"],
    ["  ", "Missing"],
    ["NULL", "Missing"],
    ["null", "Missing"],
    ["1950-06-15", "Valid:1950-06-15"],
    [" 1950-06-15 ", "Valid:1950-06-15"],
    ["1950-06-15 00:00:00", "Valid:1950-06-15"],
    ["1950-06-15T08:30:00Z", "Valid:1950-06-15"],
    ["1952-02-29", "Valid:1952-02-29"],
    ["1950-13-01", "Invalid"],
    ["1951-02-29", "Invalid"],
    ["06/15/1950", "Invalid"],
    ["1950-06-15x", "Invalid"],
    ["19500615", "Invalid"]
  ]
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} is ${expected}`, () => {
      const read = readLooseDate(raw)
      assert.strictEqual(read._tag === "Valid" ? `Valid:${read.date}` : read._tag, expected)
    })
  }
})
