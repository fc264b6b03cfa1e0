import { DateTime, Effect, Layer, Option } from "effect"
import type { IsoDate } from "../domain/dates.js"

/**
 * The business date (spec §1.2): the calendar date, in the organization's named time zone, of the current instant
 * of Effect's Clock, so `TestClock` drives the live clock. The UTC date is never used. The zone is an argument
 * because a run learns it from the organization's settings.
 */
export class BusinessClock extends Effect.Service<BusinessClock>()("email-scheduler/Clock", {
  succeed: {
    todayIn: (zone: DateTime.TimeZone): Effect.Effect<IsoDate> =>
      Effect.map(DateTime.now, (now) => DateTime.formatIsoDate(DateTime.setZone(now, zone)))
  }
}) {
  /** A clock that always reads `date` (a host's or a test's fixed business day), in every zone. */
  static readonly fixed = (date: IsoDate) =>
    Layer.succeed(BusinessClock, BusinessClock.make({ todayIn: () => Effect.succeed(date) }))
}

/** `--as-of` when given, else today in a named zone (already validated: an unknown name is a defect). */
export const businessToday = (
  timezone: string,
  asOf: Option.Option<IsoDate>
): Effect.Effect<IsoDate, never, BusinessClock> =>
  Option.match(asOf, {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.flatMap(BusinessClock, (clock) =>
        Effect.flatMap(
          Effect.orDieWith(DateTime.zoneMakeNamedEffect(timezone), () => new Error(`unknown time zone ${timezone}`)),
          clock.todayIn
        )
      )
  })
