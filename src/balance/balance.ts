import { DAILY_CAP, ED_SMOOTHING, HELD } from "../plan/index.js"
import { jitter } from "../rules/hash.js"
import { type BalanceItems, NO_EVENT_YEAR, NO_HELD_DAY, NO_LATEST_DAY } from "./balance-items.js"
import { capOrderRanks } from "./cap-order.js"
import { RankSortScratch, ScratchBuffer, sortByRank } from "./rank-sort.js"

export interface BalanceParameters {
  readonly today: number
  readonly dailyCap: number
  readonly threshold: number
  readonly edSoftLimit: number
  readonly edSmoothingWindowDays: number
}

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
 * the key set current through `onMove`. `refusedUntil`, when given, names the last day of the run of refused days
 * that starts at a refused `day` (a window's end), so the search jumps over it instead of testing each day.
 */
export interface Destinations {
  readonly isFree: (index: number, day: number) => boolean
  readonly onMove: (index: number, from: number, to: number) => void
  readonly refusedUntil?: (index: number, day: number) => number
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

/** A list of item indexes, `indexes[0 … length)` (an array, or the start of a reusable buffer). */
interface IndexList {
  readonly indexes: ArrayLike<number>
  readonly length: number
}

const listOf = (array: Int32Array): IndexList => ({ indexes: array, length: array.length })

/** Merges `a` from `aStart` and `b` from `bStart`, each sorted by `keys`, into the start of `into`. */
const mergeInto = (
  into: ScratchBuffer,
  a: IndexList,
  aStart: number,
  b: IndexList,
  bStart: number,
  keys: Int32Array
): IndexList => {
  const length = Math.max(0, a.length - aStart) + Math.max(0, b.length - bStart)
  const merged = into.take(length)
  const av = a.indexes
  const bv = b.indexes
  let i = aStart
  let j = bStart
  let k = 0
  while (i < a.length && j < b.length) merged[k++] = keys[av[i]!]! <= keys[bv[j]!]! ? av[i++]! : bv[j++]!
  while (i < a.length) merged[k++] = av[i++]!
  while (j < b.length) merged[k++] = bv[j++]!
  return { indexes: merged, length }
}

/** An excess row that stays on its day: it has no acceptable destination. */
const STAYS = -(2 ** 31)

/** Rows waiting on one day: those held there, those that start there, and the sorted runs cascaded into it. */
interface DayRows {
  held: Int32Array
  starting: Int32Array
  readonly arrived: Array<Int32Array>
}

const NO_ROWS = new Int32Array(0)

/**
 * Spec §10.4–§10.5 with the plan-stability rule of docs/business-rules.md §10.5: effective-date smoothing with the
 * jitter hash, then the cascading daily cap, processing days in ascending order (days that only receive rows
 * included). A held item (one an earlier run stored on a still-acceptable day) starts on that day, is not smoothed,
 * and keeps its day while the held rows of that day fit the cap; the other rows fill what is left. Returns the final
 * day of every item and how it got there. Deterministic: the same items in the same order give the same result.
 *
 * Each day's rows are sorted once and the rows cascaded into it are merged in (they arrive sorted), so a cascade over
 * many days costs one step per row and day, not a sort of every day. It gives back the items' priorities and event
 * years once the cap's order is computed (`releaseOrderingColumns`): they are not needed again.
 */
export const balance = (
  items: BalanceItems,
  types: { readonly effectiveDate: number | undefined; readonly ranks: Int32Array },
  parameters: BalanceParameters,
  destinations: Destinations
): BalanceResult => {
  const count = items.length
  const held = (index: number) => items.heldDay[index] !== NO_HELD_DAY
  const days = new Int32Array(count)
  for (let index = 0; index < count; index++) {
    days[index] = held(index) ? items.heldDay[index]! : items.plannedDay[index]!
  }
  const steps = new Uint8Array(count)
  const jitters = new Int16Array(count)
  const acceptable = (index: number, day: number): boolean =>
    day >= parameters.today && day <= items.latestDay[index]! && destinations.isFree(index, day)
  const move = (index: number, to: number, step: number) => {
    destinations.onMove(index, days[index]!, to)
    days[index] = to
    steps[index]! |= step
  }

  // §10.4: counts (of every effective-date row by planned day) are computed once; destination days are not
  // re-checked. Held rows count but stay where they are held.
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
      if (held(index)) continue
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
  const keys = capOrderRanks(items, types.ranks)
  // Priorities and event years are in the ranks now: the cascade's memory is the run's peak (issue 11).
  items.releaseOrderingColumns()
  const rowsOn = new Map<number, DayRows>()
  const queue = new DayQueue()
  const dayRows = (day: number): DayRows => {
    let rows = rowsOn.get(day)
    if (rows === undefined) {
      rows = { held: NO_ROWS, starting: NO_ROWS, arrived: [] }
      rowsOn.set(day, rows)
      queue.push(day)
    }
    return rows
  }
  // Each day's held and starting rows in arrays of their exact size, counted first (a day may hold a million rows)
  // in arrays by day: a plan's days span a few years (at most the 3.7 M days of four-digit years, 15 MB a count).
  let firstDay = Number.POSITIVE_INFINITY
  let lastDay = Number.NEGATIVE_INFINITY
  for (let index = 0; index < count; index++) {
    firstDay = Math.min(firstDay, days[index]!)
    lastDay = Math.max(lastDay, days[index]!)
  }
  const span = count === 0 ? 0 : lastDay - firstDay + 1
  const heldOn = new Int32Array(span)
  const startingOn = new Int32Array(span)
  for (let index = 0; index < count; index++) (held(index) ? heldOn : startingOn)[days[index]! - firstDay]!++
  for (let offset = 0; offset < span; offset++) {
    if (heldOn[offset]! > 0) dayRows(firstDay + offset).held = new Int32Array(heldOn[offset]!)
    if (startingOn[offset]! > 0) dayRows(firstDay + offset).starting = new Int32Array(startingOn[offset]!)
  }
  heldOn.fill(0)
  startingOn.fill(0)
  for (let index = 0; index < count; index++) {
    const offset = days[index]! - firstDay
    const rows = rowsOn.get(days[index]!)!
    if (held(index)) rows.held[heldOn[offset]!++] = index
    else rows.starting[startingOn[offset]!++] = index
  }
  const firstAcceptableAfter = (index: number, day: number): number | undefined => {
    const latest = items.latestDay[index]!
    const limit = latest === NO_LATEST_DAY ? day + NO_LIMIT_DAYS : latest
    for (let candidate = day + 1; candidate <= limit; candidate++) {
      if (acceptable(index, candidate)) return candidate
      if (destinations.refusedUntil !== undefined) {
        candidate = Math.max(candidate, destinations.refusedUntil(index, candidate))
      }
    }
    return undefined
  }
  // A day's rows merge into one buffer and then the other (never the one being read); its excess into the third.
  const mergeBuffers = [new ScratchBuffer(), new ScratchBuffer()] as const
  const excessBuffer = new ScratchBuffer()
  const destinationBuffer = new ScratchBuffer()
  const sortScratch = new RankSortScratch()
  // Per destination, by its distance from the day that leaves: how many rows it receives, then its run.
  const runLengths = new ScratchBuffer()
  const runs: Array<Int32Array | undefined> = []
  for (let day = queue.pop(); day !== undefined; day = queue.pop()) {
    const rows = rowsOn.get(day)!
    rowsOn.delete(day)
    let others = listOf(sortByRank(rows.starting, keys, sortScratch))
    rows.arrived.forEach((run, n) => {
      others = mergeInto(mergeBuffers[n % 2]!, others, 0, listOf(run), 0, keys)
    })
    if (rows.held.length + others.length <= parameters.threshold) continue
    sortByRank(rows.held, keys, sortScratch)
    const keptHeld = Math.min(rows.held.length, parameters.dailyCap)
    const room = parameters.dailyCap - keptHeld
    const excess = mergeInto(excessBuffer, listOf(rows.held), keptHeld, others, room, keys)
    // Rows leave in the cap's order, so each destination receives a sorted run from this day, sized exactly.
    const destinations = destinationBuffer.take(excess.length)
    let farthest = 0
    for (let e = 0; e < excess.length; e++) {
      const index = excess.indexes[e]!
      const destination = firstAcceptableAfter(index, day)
      destinations[e] = destination ?? STAYS
      if (destination === undefined) continue // no acceptable day: it stays, even over the cap
      move(index, destination, DAILY_CAP)
      farthest = Math.max(farthest, destination - day)
    }
    const lengths = runLengths.take(farthest + 1)
    lengths.fill(0, 0, farthest + 1)
    for (let e = 0; e < excess.length; e++) if (destinations[e] !== STAYS) lengths[destinations[e]! - day]!++
    for (let distance = 1; distance <= farthest; distance++) {
      runs[distance] = lengths[distance]! > 0 ? new Int32Array(lengths[distance]!) : undefined
      lengths[distance] = 0
    }
    for (let e = 0; e < excess.length; e++) {
      if (destinations[e] === STAYS) continue
      const distance = destinations[e]! - day
      runs[distance]![lengths[distance]!++] = excess.indexes[e]!
    }
    for (let distance = 1; distance <= farthest; distance++) {
      const run = runs[distance]
      if (run === undefined) continue
      dayRows(day + distance).arrived.push(run)
      runs[distance] = undefined
    }
  }

  let moved = 0
  for (let index = 0; index < count; index++) {
    if (days[index] === items.plannedDay[index]) continue
    moved++
    if (days[index] === items.heldDay[index]) steps[index] = HELD
  }
  return { days, steps, jitter: jitters, moved }
}
