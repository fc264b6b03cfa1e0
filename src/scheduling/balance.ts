import { jitter } from "../rules/hash.js"
import { type BalanceItems, NO_EVENT_YEAR, NO_LATEST_DAY } from "./balance-items.js"

export interface BalanceParameters {
  readonly today: number
  readonly dailyCap: number
  readonly threshold: number
  readonly edSoftLimit: number
  readonly edSmoothingWindowDays: number
}

/** The steps a row took (spec §14.2 `moved.steps`), as bits. */
export const ED_SMOOTHING = 1
export const DAILY_CAP = 2

export const stepNames = (steps: number): Array<"ed_smoothing" | "daily_cap"> => [
  ...(steps & ED_SMOOTHING ? (["ed_smoothing"] as const) : []),
  ...(steps & DAILY_CAP ? (["daily_cap"] as const) : [])
]

/** What load balancing decided for every item: its final day, the steps it took and the jitter it drew. */
export interface BalanceResult {
  readonly days: Int32Array
  readonly steps: Uint8Array
  /** Meaningful only when `steps` has ED_SMOOTHING. */
  readonly jitter: Int16Array
  readonly moved: number
}

/**
 * Spec §10.6 without the date range: may item `index` move to `day`? (Window test and key checks.) The caller keeps
 * the key set current through `onMove`.
 */
export interface Destinations {
  readonly isFree: (index: number, day: number) => boolean
  readonly onMove: (index: number, from: number, to: number) => void
}

const NO_LIMIT_DAYS = 366

/** A minimal binary min-heap of day numbers. */
export class DayQueue {
  private readonly heap: Array<number> = []
  private readonly queued = new Set<number>()
  push(day: number): void {
    if (this.queued.has(day)) return
    this.queued.add(day)
    const heap = this.heap
    heap.push(day)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]! <= day) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = day
  }
  pop(): number | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined) return undefined
    if (heap.length > 0) {
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        if (left >= heap.length) break
        const right = left + 1
        const child = right < heap.length && heap[right]! < heap[left]! ? right : left
        if (heap[child]! >= last) break
        heap[i] = heap[child]!
        i = child
      }
      heap[i] = last
    }
    this.queued.delete(top)
    return top
  }
}

const byCapOrder = (items: BalanceItems, typeRanks: Int32Array) => (a: number, b: number) =>
  items.priority[a]! - items.priority[b]! ||
  items.contactId[a]! - items.contactId[b]! ||
  typeRanks[items.typeCode[a]!]! - typeRanks[items.typeCode[b]!]!

/**
 * Spec §10.4–§10.5: effective-date smoothing with the jitter hash, then the cascading daily cap, processing days in
 * ascending order (days that only receive rows included). Returns the final day of every item and how it got there.
 * Deterministic: the same items in the same order give the same result.
 */
export const balance = (
  items: BalanceItems,
  types: { readonly effectiveDate: number | undefined; readonly ranks: Int32Array },
  parameters: BalanceParameters,
  destinations: Destinations
): BalanceResult => {
  const count = items.length
  const days = items.plannedDay.slice(0, count)
  const steps = new Uint8Array(count)
  const jitters = new Int16Array(count)
  const acceptable = (index: number, day: number): boolean =>
    day >= parameters.today && day <= items.latestDay[index]! && destinations.isFree(index, day)
  const move = (index: number, to: number, step: number) => {
    destinations.onMove(index, days[index]!, to)
    days[index] = to
    steps[index]! |= step
  }

  // §10.4: counts are computed once; destination days are not re-checked.
  const edByDay = new Map<number, Array<number>>()
  for (let index = 0; index < count; index++) {
    if (items.typeCode[index] !== types.effectiveDate) continue
    const day = items.plannedDay[index]!
    const list = edByDay.get(day)
    if (list === undefined) edByDay.set(day, [index])
    else list.push(index)
  }
  for (const day of [...edByDay.keys()].sort((a, b) => a - b)) {
    const onDay = edByDay.get(day)!
    if (onDay.length <= parameters.edSoftLimit) continue
    for (const index of [...onDay].sort((a, b) => items.contactId[a]! - items.contactId[b]!)) {
      const year = items.eventYear[index]!
      const j = jitter(
        `${items.contactId[index]}-effective_date-${year === NO_EVENT_YEAR ? undefined : year}`,
        parameters.edSmoothingWindowDays
      )
      if (j !== 0 && acceptable(index, day + j)) {
        move(index, day + j, ED_SMOOTHING)
        jitters[index] = j
      }
    }
  }

  // §10.5: the cascading daily cap.
  const byDay = new Map<number, Array<number>>()
  const queue = new DayQueue()
  for (let index = 0; index < count; index++) {
    const day = days[index]!
    const list = byDay.get(day)
    if (list === undefined) {
      byDay.set(day, [index])
      queue.push(day)
    } else list.push(index)
  }
  const order = byCapOrder(items, types.ranks)
  for (let day = queue.pop(); day !== undefined; day = queue.pop()) {
    const onDay = byDay.get(day)
    if (onDay === undefined || onDay.length <= parameters.threshold) continue
    onDay.sort(order)
    const kept = onDay.slice(0, parameters.dailyCap)
    for (let k = parameters.dailyCap; k < onDay.length; k++) {
      const index = onDay[k]!
      const latest = items.latestDay[index]!
      const limit = latest === NO_LATEST_DAY ? day + NO_LIMIT_DAYS : latest
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
      move(index, destination, DAILY_CAP)
      const list = byDay.get(destination)
      if (list === undefined) byDay.set(destination, [index])
      else list.push(index)
      queue.push(destination)
    }
    byDay.set(day, kept)
  }

  let moved = 0
  for (let index = 0; index < count; index++) if (days[index] !== items.plannedDay[index]) moved++
  return { days, steps, jitter: jitters, moved }
}
