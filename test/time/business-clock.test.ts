import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, TestClock } from "effect"
import { BusinessClock, businessToday } from "../../src/time/BusinessClock.js"

/** The live clock (driven by TestClock) reading today in `zone`. */
const inZone = (zone: string) => Layer.succeed(Zone, zone).pipe(Layer.merge(BusinessClock.Default))

class Zone extends Context.Tag("test/Zone")<Zone, string>() {}

const todayAt = (instant: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(instant)
    return yield* businessToday(yield* Zone, Option.none())
  })

describe("BusinessClock (spec §1.2)", () => {
  it.effect("is the organization's date, not UTC's", () =>
    Effect.gen(function* () {
      // 2026-03-09 03:00 UTC is 2026-03-08 22:00 in Chicago (CDT, the day DST began).
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 9, 3)), "2026-03-08")
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 9, 5)), "2026-03-09")
    }).pipe(Effect.provide(inZone("America/Chicago")))
  )

  it.effect("follows the zone's offset across both DST changes", () =>
    Effect.gen(function* () {
      // Before the spring change Chicago is UTC−6, after it UTC−5; midnight moves accordingly.
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 8, 5, 59)), "2026-03-07")
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 8, 6, 0)), "2026-03-08")
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 9, 4, 59)), "2026-03-08")
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 2, 9, 5, 0)), "2026-03-09")
      // Autumn: 2026-11-01 is 25 hours long in Chicago.
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 10, 2, 5, 59)), "2026-11-01")
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 10, 2, 6, 0)), "2026-11-02")
    }).pipe(Effect.provide(inZone("America/Chicago")))
  )

  it.effect("uses the named zone of the organization, wherever it is", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* todayAt(Date.UTC(2026, 0, 1, 9, 30)), "2025-12-31")
    }).pipe(Effect.provide(inZone("Pacific/Honolulu")))
  )

  it.effect("--as-of replaces today", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 5, 1, 12))
      assert.strictEqual(yield* businessToday("America/Chicago", Option.some("2027-01-20")), "2027-01-20")
      assert.strictEqual(yield* businessToday("America/Chicago", Option.none()), "2026-06-01")
    }).pipe(Effect.provide(BusinessClock.Default))
  )

  it.effect("a fixed clock reads its day in every zone (a host's or a test's own)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 5, 1, 12))
      assert.strictEqual(yield* businessToday("America/Chicago", Option.none()), "2030-02-03")
      assert.strictEqual(yield* businessToday("Pacific/Honolulu", Option.none()), "2030-02-03")
    }).pipe(Effect.provide(BusinessClock.fixed("2030-02-03")))
  )
})
