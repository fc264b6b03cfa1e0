import { DateTime, Effect, Layer, Option } from "effect"
import type { IsoDate } from "../domain/dates.js"

/**
 * The business date (spec §1.2): the calendar date, in the organization's named time zone, of the current instant
 * of Effect's Clock, so `TestClock` drives it. The UTC date is never used.
 */
export class BusinessClock extends Effect.Service<BusinessClock>()("email-scheduler/Clock", {
  effect: Effect.gen(function* () {
    const zone = yield* DateTime.CurrentTimeZone
    const today: Effect.Effect<IsoDate> = Effect.map(DateTime.now, (now) =>
      DateTime.formatIsoDate(DateTime.setZone(now, zone))
    )
    return {
      zone,
      today,
      /** `--as-of` replaces today when given. */
      todayOr: (asOf: Option.Option<IsoDate>): Effect.Effect<IsoDate> =>
        Option.match(asOf, { onNone: () => today, onSome: Effect.succeed })
    } as const
  })
}) {}

/** Today in a named zone (already validated), or `--as-of`: for a run, whose zone is known only from its settings. */
export const businessToday = (timezone: string, asOf: Option.Option<IsoDate>): Effect.Effect<IsoDate> =>
  Effect.flatMap(BusinessClock, (clock) => clock.todayOr(asOf)).pipe(
    Effect.provide(BusinessClock.Default.pipe(Layer.provide(DateTime.layerCurrentZoneNamed(timezone)))),
    Effect.orDie
  )
