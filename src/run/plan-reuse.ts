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

/** Unsigned LEB128 of a zigzag integer: a few bytes for the small differences the facts hold. */
const pushInt = (bytes: Array<number>, value: number): void => {
  let rest = value >= 0 ? value * 2 : -value * 2 - 1
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
}

const SUBJECT = 1
const HELD = 2

/**
 * The facts as bytes: counts, then per row its id (as the difference from the previous row's), its planned and latest
 * days (as differences from its start day), its flags and its hold.
 */
export const encodeFacts = (facts: ReuseFacts, startDays: ReadonlyArray<number>): Uint8Array => {
  const bytes: Array<number> = []
  pushInt(bytes, facts.droppedHandled)
  pushInt(bytes, facts.droppedDuplicate)
  pushInt(bytes, facts.rows.length)
  let previousId = 0
  facts.rows.forEach((row, index) => {
    const start = startDays[index]!
    pushInt(bytes, row.id - previousId)
    previousId = row.id
    pushInt(bytes, row.plannedDay - start)
    pushInt(bytes, row.latestDay - start)
    pushInt(bytes, (row.subjectToExclusions ? SUBJECT : 0) | (row.held ? HELD : 0))
    pushInt(bytes, row.holdSteps)
    pushInt(bytes, row.holdJitter)
  })
  return Uint8Array.from(bytes)
}

/** Reads the encoded facts; `startDayOf` gives a row's start day (its stored date) from its id. Undefined if damaged. */
export const decodeFacts = (
  bytes: Uint8Array,
  startDayOf: (id: number) => number | undefined
): ReuseFacts | undefined => {
  let at = 0
  const next = (): number | undefined => {
    let value = 0
    let scale = 1
    for (;;) {
      if (at >= bytes.length || scale > 2 ** 49) return undefined
      const byte = bytes[at++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) break
      scale *= 0x80
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2
  }
  const droppedHandled = next()
  const droppedDuplicate = next()
  const count = next()
  if (droppedHandled === undefined || droppedDuplicate === undefined || count === undefined || count < 0) return
  const rows: Array<ReusedRowFacts> = []
  let previousId = 0
  for (let i = 0; i < count; i++) {
    const idStep = next()
    const planned = next()
    const latest = next()
    const flags = next()
    const holdSteps = next()
    const holdJitter = next()
    if (
      idStep === undefined ||
      planned === undefined ||
      latest === undefined ||
      flags === undefined ||
      holdSteps === undefined ||
      holdJitter === undefined
    ) {
      return undefined
    }
    const id = previousId + idStep
    previousId = id
    const start = startDayOf(id)
    if (start === undefined) return undefined
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
  return at === bytes.length ? { droppedHandled, droppedDuplicate, rows } : undefined
}

/** A record to store for a contact whose plan the run found stored. */
export interface ReuseRecord {
  readonly contactId: number
  readonly holdsUntil: number
  readonly facts: Uint8Array
}
