import { Duration, Effect } from "effect"

/** The effect's value with its wall time in milliseconds (Effect's Clock, so TestClock makes it 0). */
export const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => [Duration.toMillis(duration), value] as const)

/** Adds up the wall time of many small steps (the reads of every page, say). */
export const stopwatch = () => {
  let total = 0
  return {
    time: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.map(elapsed(effect), ([ms, value]) => {
        total += ms
        return value
      }),
    millis: () => Math.round(total)
  }
}
