import { DayQueue } from "../../../src/balance/balance.js"
import { jitter } from "../../../src/rules/hash.js"

/** A pre-scheduled row of the plan as load balancing sees it (spec §10.2: only these count and move). */
export interface BalanceItem {
  readonly contactId: number
  readonly emailType: string
  /** Planned date (day number) before balancing. */
  readonly plannedDay: number
  readonly priority: number
  /** Inclusive; undefined = none (may move later without limit, within 366 days of the day it leaves). */
  readonly latestDay: number | undefined
  readonly eventYear: number | undefined
  /** Tested against the contact's windows at its destination (spec §10.6; post-window rows count as subject). */
  readonly subjectToExclusions: boolean
  /** The day an earlier run stored it on, which it keeps while the held rows of that day fit the cap. */
  readonly heldDay?: number | undefined
  /** The stored `moved` explanation (step bits, jitter) the row keeps on its held day. */
  readonly heldMove?: { readonly steps: number; readonly jitter: number } | undefined
}

export interface BalanceParameters {
  readonly today: number
  readonly dailyCap: number
  readonly threshold: number
  readonly edSoftLimit: number
  readonly edSmoothingWindowDays: number
}

/** Where a row ended up, when it moved (spec §14.2 `moved`). */
export interface Move {
  readonly day: number
  readonly steps: ReadonlyArray<"ed_smoothing" | "daily_cap">
  readonly jitter: number | undefined
}

/**
 * Spec §10.6 without the date range: may the row move to `day`? (Window test and key checks.) The caller keeps the
 * key set current through `onMove`.
 */
export interface Destinations {
  readonly isFree: (item: BalanceItem, day: number) => boolean
  readonly onMove: (item: BalanceItem, from: number, to: number) => void
}

const NO_LIMIT_DAYS = 366

const byCapOrder = (items: ReadonlyArray<BalanceItem>) => (a: number, b: number) => {
  const x = items[a]!
  const y = items[b]!
  return (
    x.priority - y.priority ||
    x.contactId - y.contactId ||
    (x.emailType < y.emailType ? -1 : x.emailType > y.emailType ? 1 : 0)
  )
}

/**
 * Spec §10.4–§10.5: effective-date smoothing with the jitter hash, then the cascading daily cap, processing days in
 * ascending order (days that only receive rows included). Returns the final day of every item and the moves.
 * Deterministic: the same items in the same order give the same result.
 */
export const balance = (
  items: ReadonlyArray<BalanceItem>,
  parameters: BalanceParameters,
  destinations: Destinations
): { readonly days: Int32Array; readonly moves: ReadonlyMap<number, Move> } => {
  const days = Int32Array.from(items, (item) => item.heldDay ?? item.plannedDay)
  const steps = new Map<number, { steps: Array<"ed_smoothing" | "daily_cap">; jitter: number | undefined }>()
  const acceptable = (index: number, day: number): boolean => {
    const item = items[index]!
    return (
      day >= parameters.today &&
      (item.latestDay === undefined || day <= item.latestDay) &&
      destinations.isFree(item, day)
    )
  }
  const move = (index: number, to: number, step: "ed_smoothing" | "daily_cap", j?: number) => {
    destinations.onMove(items[index]!, days[index]!, to)
    days[index] = to
    const entry = steps.get(index) ?? { steps: [], jitter: undefined }
    if (!entry.steps.includes(step)) entry.steps.push(step)
    if (j !== undefined) entry.jitter = j
    steps.set(index, entry)
  }

  // §10.4: counts are computed once; destination days are not re-checked.
  const edByDay = new Map<number, Array<number>>()
  items.forEach((item, index) => {
    if (item.emailType !== "effective_date") return
    const list = edByDay.get(item.plannedDay) ?? []
    list.push(index)
    edByDay.set(item.plannedDay, list)
  })
  for (const day of [...edByDay.keys()].sort((a, b) => a - b)) {
    const onDay = edByDay.get(day)!
    if (onDay.length <= parameters.edSoftLimit) continue
    for (const index of [...onDay].sort((a, b) => items[a]!.contactId - items[b]!.contactId)) {
      const item = items[index]!
      if (item.heldDay !== undefined) continue
      const j = jitter(`${item.contactId}-effective_date-${item.eventYear}`, parameters.edSmoothingWindowDays)
      if (j !== 0 && acceptable(index, day + j)) move(index, day + j, "ed_smoothing", j)
    }
  }

  // §10.5: the cascading daily cap.
  const byDay = new Map<number, Array<number>>()
  const queue = new DayQueue()
  for (let index = 0; index < items.length; index++) {
    const day = days[index]!
    const list = byDay.get(day)
    if (list === undefined) byDay.set(day, [index])
    else list.push(index)
    queue.push(day)
  }
  const order = byCapOrder(items)
  for (let day = queue.pop(); day !== undefined; day = queue.pop()) {
    const onDay = byDay.get(day)
    if (onDay === undefined || onDay.length <= parameters.threshold) continue
    // Held rows still on their held day keep it first, up to the cap; the others fill what is left.
    const isHeld = (index: number) => items[index]!.heldDay === day && !steps.has(index)
    const held = onDay.filter(isHeld).sort(order)
    const others = onDay.filter((index) => !isHeld(index)).sort(order)
    const keptHeld = Math.min(held.length, parameters.dailyCap)
    const kept = [...held.slice(0, keptHeld), ...others.slice(0, parameters.dailyCap - keptHeld)]
    const excess = [...held.slice(keptHeld), ...others.slice(parameters.dailyCap - keptHeld)].sort(order)
    for (const index of excess) {
      const limit = items[index]!.latestDay ?? day + NO_LIMIT_DAYS
      let destination: number | undefined
      for (let candidate = day + 1; candidate <= limit; candidate++) {
        if (acceptable(index, candidate)) {
          destination = candidate
          break
        }
      }
      if (destination === undefined) {
        kept.push(index) // no acceptable day: it stays, even over the cap
        continue
      }
      move(index, destination, "daily_cap")
      const list = byDay.get(destination)
      if (list === undefined) byDay.set(destination, [index])
      else list.push(index)
      queue.push(destination)
    }
    byDay.set(day, kept)
  }

  const moves = new Map<number, Move>()
  for (const [index, entry] of steps) {
    if (days[index] !== items[index]!.plannedDay)
      moves.set(index, { day: days[index]!, steps: entry.steps, jitter: entry.jitter })
  }
  return { days, moves }
}
