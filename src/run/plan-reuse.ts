/**
 * Plan reuse (issue 11): a contact whose plan a run found already stored (it wrote nothing for it) keeps a record of
 * what its plan holds beyond the stored columns, and until which day the plan holds by the calendar (plan/horizon.ts).
 * A later run with the same settings and campaigns, for a contact nobody changed since (db/change-tracking.ts), stages
 * the stored rows with these facts instead of planning the contact again. Everything else a row needs (type, date,
 * status, reason, priority, instance, templates, event date, id) is read from the stored row itself.
 */

/** A plan that no date alone changes holds "forever". */
export const HOLDS_FOREVER = 2 ** 31 - 1

/** What one planned row is beyond its stored columns. */
export interface ReusedRowFacts {
  /** The stored row it is (the plan found it unchanged on its start day). */
  readonly id: number
  readonly plannedDay: number
  /** NO_LATEST_DAY when it has none. */
  readonly latestDay: number
  readonly subjectToExclusions: boolean
  /** Balancing starts it on its held day (its stored day), not its planned day. */
  readonly held: boolean
  readonly holdSteps: number
  readonly holdJitter: number
}

export interface ReuseFacts {
  readonly droppedHandled: number
  readonly droppedDuplicate: number
  /** In the plan's order. */
  readonly rows: ReadonlyArray<ReusedRowFacts>
}

/**
 * LEB128 integers appended to a growable byte array. A night records most of a million contacts, some 50 bytes each:
 * pushed one by one onto a plain array they cost 4.9 s of CPU at 1 M contacts (issue 11's profile of a third night).
 */
export class VarintWriter {
  private buffer = new Uint8Array(1024)
  length = 0

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    const larger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes))
    larger.set(this.buffer.subarray(0, this.length))
    this.buffer = larger
  }
  /** Unsigned LEB128 of a safe integer ≥ 0 (ids up to 2^53 − 1 take 8 bytes, today's a few). */
  uint(value: number): void {
    this.ensure(8)
    const buffer = this.buffer
    let at = this.length
    let rest = value
    while (rest >= 0x80) {
      buffer[at++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    buffer[at++] = rest
    this.length = at
  }
  /** A small signed integer (a difference of days, a jitter, a count) as the LEB128 of its zigzag. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1)
  }
  append(other: VarintWriter): void {
    this.ensure(other.length)
    this.buffer.set(other.buffer.subarray(0, other.length), this.length)
    this.length += other.length
  }
  reset(): void {
    this.length = 0
  }
  /** A copy of the bytes written. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length)
  }
}

const SUBJECT = 1
const HELD = 2

/**
 * A contact's record as its rows are staged, without an object per row (a night records most of a million contacts):
 * `begin` for each planned contact, `row` for each row found stored unchanged, then `appendTo` a batch's bytes: the
 * contact's id, the day its plan may change, then its facts: counts, and per row its id, its planned and latest days
 * (as differences from its start day), its flags and its hold.
 */
export const recordBuilder = () => {
  const rows = new VarintWriter()
  let rowCount = 0
  const head = new VarintWriter()
  return {
    begin: (): void => {
      rows.reset()
      rowCount = 0
    },
    row: (fact: ReusedRowFacts, startDay: number): void => {
      rowCount++
      rows.uint(fact.id)
      rows.int(fact.plannedDay - startDay)
      rows.int(fact.latestDay - startDay)
      rows.int((fact.subjectToExclusions ? SUBJECT : 0) | (fact.held ? HELD : 0))
      rows.int(fact.holdSteps)
      rows.int(fact.holdJitter)
    },
    /** Rows recorded since `begin`. */
    rowCount: (): number => rowCount,
    appendTo: (
      bytes: VarintWriter,
      contactId: number,
      holdsUntil: number,
      droppedHandled: number,
      droppedDuplicate: number
    ): void => {
      head.reset()
      head.int(droppedHandled)
      head.int(droppedDuplicate)
      head.int(rowCount)
      bytes.uint(contactId)
      bytes.uint(holdsUntil)
      bytes.uint(head.length + rows.length)
      bytes.append(head)
      bytes.append(rows)
    }
  }
}

/** The records `recordBuilder` appended, one at a time; the facts are views into `bytes`. */
export function* recordsIn(
  bytes: Uint8Array
): Generator<{ readonly contactId: number; readonly holdsUntil: number; readonly facts: Uint8Array }> {
  const reader = varintReader(bytes)
  while (reader.at() < bytes.length) {
    const contactId = reader.nextUint()
    const holdsUntil = reader.nextUint()
    const length = reader.nextUint()
    if (contactId === undefined || holdsUntil === undefined || length === undefined) return
    const start = reader.at()
    reader.skip(length)
    yield { contactId, holdsUntil, facts: bytes.subarray(start, start + length) }
  }
}

/** Reads LEB128 integers from `bytes`; undefined past the end or beyond 2^53 − 1. */
const varintReader = (bytes: Uint8Array) => {
  let at = 0
  const nextUint = (): number | undefined => {
    let value = 0
    let scale = 1
    for (;;) {
      if (at >= bytes.length || scale > 2 ** 49) return undefined
      const byte = bytes[at++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) break
      scale *= 0x80
    }
    return Number.isSafeInteger(value) ? value : undefined
  }
  return {
    at: () => at,
    skip: (count: number) => {
      at += count
    },
    nextUint,
    /** A zigzag integer (`pushInt`). */
    next: (): number | undefined => {
      const value = nextUint()
      return value === undefined ? undefined : value % 2 === 0 ? value / 2 : -(value + 1) / 2
    }
  }
}

/**
 * Reads the encoded facts; `startDayOf` gives a row's start day (its stored date) from its id. Undefined if damaged,
 * if a row is not among the stored rows, or if a row is named twice.
 */
export const decodeFacts = (
  bytes: Uint8Array,
  startDayOf: (id: number) => number | undefined
): ReuseFacts | undefined => {
  const reader = varintReader(bytes)
  const next = reader.next
  const droppedHandled = next()
  const droppedDuplicate = next()
  const count = next()
  if (droppedHandled === undefined || droppedDuplicate === undefined || count === undefined || count < 0) return
  const rows: Array<ReusedRowFacts> = []
  for (let i = 0; i < count; i++) {
    const id = reader.nextUint()
    const planned = next()
    const latest = next()
    const flags = next()
    const holdSteps = next()
    const holdJitter = next()
    if (
      id === undefined ||
      planned === undefined ||
      latest === undefined ||
      flags === undefined ||
      holdSteps === undefined ||
      holdJitter === undefined
    ) {
      return undefined
    }
    const start = startDayOf(id)
    // A record names each stored row once (a handful of rows: a scan is cheaper than a set).
    if (start === undefined || rows.some((earlier) => earlier.id === id)) return undefined
    rows.push({
      id,
      plannedDay: start + planned,
      latestDay: start + latest,
      subjectToExclusions: (flags & SUBJECT) !== 0,
      held: (flags & HELD) !== 0,
      holdSteps,
      holdJitter
    })
  }
  return reader.at() === bytes.length ? { droppedHandled, droppedDuplicate, rows } : undefined
}
