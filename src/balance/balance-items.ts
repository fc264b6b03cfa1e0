type Column = Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Int16Array<ArrayBuffer>

/**
 * The column with room for `length` values, in a buffer of fixed length. Its buffer is transferred, which frees the
 * old one at once: a copy would leave it to the garbage collector, and at a million contacts the old columns (100 MB
 * and more) were still held when balancing allocated its own (issue 11's peak).
 */
const resized = <T extends Column>(array: T, length: number, view: (buffer: ArrayBuffer) => T): T =>
  view(array.buffer.transferToFixedLength(length * array.BYTES_PER_ELEMENT))

/**
 * Address space reserved for a growing column (64 M 32-bit values). A resizable buffer grows in place within it, and
 * only the pages values reach take memory. Growing by copying into a larger buffer cost 1.4–2.0 s of a 1 M run's
 * pass 1 on the run's thread, most of it faulting in the pages of every larger copy.
 */
const RESERVED_BYTES = 2 ** 28

/** A length-tracking column over a resizable buffer with room for `length` values. */
const growable = <T extends Column>(length: number, bytesPerValue: number, view: (buffer: ArrayBuffer) => T): T => {
  const bytes = length * bytesPerValue
  return view(new ArrayBuffer(bytes, { maxByteLength: Math.max(RESERVED_BYTES, bytes * 2) }))
}

/**
 * Growable typed-array columns: a 3,000,000-contact plan has about 10 million rows to balance (issue 6). Past a million
 * values they grow by a quarter, not double: the spare end of a doubled column is memory too, held until pass 1
 * ends, where the run's memory peaks. Within its reservation a column grows in place (its typed array tracks the
 * buffer's length); past it, or once trimmed to a fixed length, it moves to a larger buffer.
 */
const grown = <T extends Column>(array: T, view: (buffer: ArrayBuffer) => T): T => {
  const length = array.length < 1 << 20 ? Math.max(1024, array.length * 2) : Math.ceil(array.length * 1.25)
  const { buffer } = array
  if (buffer.resizable && length * array.BYTES_PER_ELEMENT <= buffer.maxByteLength) {
    buffer.resize(length * array.BYTES_PER_ELEMENT)
    return array
  }
  const larger = growable(length, array.BYTES_PER_ELEMENT, view)
  larger.set(array)
  return larger
}

const int32 = (buffer: ArrayBuffer) => new Int32Array(buffer)
const uint16 = (buffer: ArrayBuffer) => new Uint16Array(buffer)
const int16 = (buffer: ArrayBuffer) => new Int16Array(buffer)
const uint8 = (buffer: ArrayBuffer) => new Uint8Array(buffer)

/** "No latest date": the row may move up to 366 days past the day it leaves (spec §10.5). */
export const NO_LATEST_DAY = 2 ** 31 - 1
/** The item has no held day: no earlier run stored it on a day it may keep (docs/business-rules.md §10.5). */
export const NO_HELD_DAY = -(2 ** 31)
/** No event year (campaigns and follow-ups). */
export const NO_EVENT_YEAR = 0

/** Email types as small numbers, in encounter order; `rank` orders them as their names sort. */
export class EmailTypeCodes {
  private readonly codes = new Map<string, number>()
  readonly names: Array<string> = []
  code(emailType: string): number {
    let code = this.codes.get(emailType)
    if (code === undefined) {
      code = this.names.length
      this.codes.set(emailType, code)
      this.names.push(emailType)
    }
    return code
  }
  /** Rank of each code when the names are sorted (the cap's tie-break compares type names, spec §10.5). */
  ranks(): Int32Array {
    const ranks = new Int32Array(this.names.length)
    const sorted = this.names.map((name, code) => ({ name, code })).sort((a, b) => (a.name < b.name ? -1 : 1))
    sorted.forEach(({ code }, rank) => {
      ranks[code] = rank
    })
    return ranks
  }
}

/** Balance items as plain typed arrays (what a batch planned in another thread hands over), `length` of each used. */
export interface ItemColumns {
  readonly length: number
  readonly contactId: Int32Array<ArrayBuffer>
  readonly typeCode: Uint16Array<ArrayBuffer>
  readonly plannedDay: Int32Array<ArrayBuffer>
  readonly priority: Int32Array<ArrayBuffer>
  readonly latestDay: Int32Array<ArrayBuffer>
  readonly eventYear: Int16Array<ArrayBuffer>
  readonly subjectToExclusions: Uint8Array<ArrayBuffer>
  readonly owner: Int32Array<ArrayBuffer>
  readonly heldDay: Int32Array<ArrayBuffer>
}

/** Balance contacts as plain typed arrays: `keysStart[c]` to `keysStart[c + 1]` (or the end) are contact c's keys. */
export interface OwnerColumns {
  readonly keysStart: Int32Array<ArrayBuffer>
  readonly keys: Int32Array<ArrayBuffer>
  readonly stateCode: Int32Array<ArrayBuffer>
  readonly birthDay: Int32Array<ArrayBuffer>
  readonly effectiveDay: Int32Array<ArrayBuffer>
  readonly states: ReadonlyArray<string>
}

/** What writing needs of the balance items once balancing is done: which item a contact's planned row is. */
export interface ItemKeys {
  readonly length: number
  readonly contactId: Int32Array
  readonly typeCode: Uint16Array
  readonly plannedDay: Int32Array
}

/**
 * The pre-scheduled rows of the plan as load balancing sees them (spec §10.2: only these count and move), one column
 * per field. Rows of one contact are contiguous, in the order the planner produced them.
 */
export class BalanceItems {
  length = 0
  contactId = growable(1024, 4, int32)
  typeCode = growable(1024, 2, uint16)
  plannedDay = growable(1024, 4, int32)
  priority = growable(1024, 4, int32)
  /** Inclusive; `NO_LATEST_DAY` when there is none. */
  latestDay = growable(1024, 4, int32)
  eventYear = growable(1024, 2, int16)
  /** 1 when the row is window-tested at its destination (spec §10.6; post-window rows count as subject). */
  subjectToExclusions = growable(1024, 1, uint8)
  /** Index of the item's contact in `BalanceContacts`. */
  owner = growable(1024, 4, int32)
  /** The day an earlier run stored the row on, when it may keep it; `NO_HELD_DAY` otherwise. */
  heldDay = growable(1024, 4, int32)

  push(item: {
    readonly contactId: number
    readonly typeCode: number
    readonly plannedDay: number
    readonly priority: number
    readonly latestDay: number
    readonly eventYear: number
    readonly subjectToExclusions: boolean
    readonly owner: number
    readonly heldDay?: number
  }): void {
    if (this.length === this.contactId.length) this.grow()
    const i = this.length++
    this.contactId[i] = item.contactId
    this.typeCode[i] = item.typeCode
    this.plannedDay[i] = item.plannedDay
    this.priority[i] = item.priority
    this.latestDay[i] = item.latestDay
    this.eventYear[i] = item.eventYear
    this.subjectToExclusions[i] = item.subjectToExclusions ? 1 : 0
    this.owner[i] = item.owner
    this.heldDay[i] = item.heldDay ?? NO_HELD_DAY
  }

  /** Appends another list's items, mapping their type codes and moving their owners by `ownerOffset`. */
  append(other: ItemColumns, typeCodes: ArrayLike<number>, ownerOffset: number): void {
    for (let i = 0; i < other.length; i++) {
      this.push({
        contactId: other.contactId[i]!,
        typeCode: typeCodes[other.typeCode[i]!]!,
        plannedDay: other.plannedDay[i]!,
        priority: other.priority[i]!,
        latestDay: other.latestDay[i]!,
        eventYear: other.eventYear[i]!,
        subjectToExclusions: other.subjectToExclusions[i] === 1,
        owner: other.owner[i]! + ownerOffset,
        heldDay: other.heldDay[i]!
      })
    }
  }

  /** The used part of each column. */
  columns(): ItemColumns {
    const n = this.length
    return {
      length: n,
      contactId: this.contactId.slice(0, n),
      typeCode: this.typeCode.slice(0, n),
      plannedDay: this.plannedDay.slice(0, n),
      priority: this.priority.slice(0, n),
      latestDay: this.latestDay.slice(0, n),
      eventYear: this.eventYear.slice(0, n),
      subjectToExclusions: this.subjectToExclusions.slice(0, n),
      owner: this.owner.slice(0, n),
      heldDay: this.heldDay.slice(0, n)
    }
  }

  /**
   * Gives back the unused end of each column once the list is complete, one column at a time so no more than one
   * spare copy exists at once. The columns become fixed-length: balancing reads a column of a resizable buffer about a
   * third slower.
   */
  trim(): void {
    const n = this.length
    this.contactId = resized(this.contactId, n, int32)
    this.typeCode = resized(this.typeCode, n, uint16)
    this.plannedDay = resized(this.plannedDay, n, int32)
    this.priority = resized(this.priority, n, int32)
    this.latestDay = resized(this.latestDay, n, int32)
    this.eventYear = resized(this.eventYear, n, int16)
    this.subjectToExclusions = resized(this.subjectToExclusions, n, uint8)
    this.owner = resized(this.owner, n, int32)
    this.heldDay = resized(this.heldDay, n, int32)
  }

  /** Gives back the columns only the cap's order and smoothing read, once the order is computed (issue 11's peak). */
  releaseOrderingColumns(): void {
    this.priority = resized(this.priority, 0, int32)
    this.eventYear = resized(this.eventYear, 0, int16)
  }

  /**
   * Gives back the columns only balancing reads, once it is done (about 19 bytes per item, 64 MB at a million
   * contacts): writing keeps the `ItemKeys` alone, and its peak is the run's (issue 11).
   */
  releaseBalancingColumns(): ItemKeys {
    this.priority = resized(this.priority, 0, int32)
    this.latestDay = resized(this.latestDay, 0, int32)
    this.eventYear = resized(this.eventYear, 0, int16)
    this.subjectToExclusions = resized(this.subjectToExclusions, 0, uint8)
    this.owner = resized(this.owner, 0, int32)
    this.heldDay = resized(this.heldDay, 0, int32)
    return this
  }

  private grow(): void {
    this.contactId = grown(this.contactId, int32)
    this.typeCode = grown(this.typeCode, uint16)
    this.plannedDay = grown(this.plannedDay, int32)
    this.priority = grown(this.priority, int32)
    this.latestDay = grown(this.latestDay, int32)
    this.eventYear = grown(this.eventYear, int16)
    this.subjectToExclusions = grown(this.subjectToExclusions, uint8)
    this.owner = grown(this.owner, int32)
    this.heldDay = grown(this.heldDay, int32)
  }
}

/** A growable list of 32-bit integers. */
export class IntList {
  length = 0
  values = growable(1024, 4, int32)
  push(value: number): void {
    if (this.length === this.values.length) this.values = grown(this.values, int32)
    this.values[this.length++] = value
  }
  /** Gives back the unused end once the list is complete, in a buffer of fixed length (see `BalanceItems.trim`). */
  trim(): void {
    this.values = resized(this.values, this.length, int32)
  }
  /** Empties the list and gives back its memory. */
  clear(): void {
    this.length = 0
    this.values = resized(this.values, 0, int32)
  }
}

/**
 * The contacts that own balance items: the (type, day) keys their plan rows and handled rows hold, as key codes in
 * one flat list (`keysStart[c]` to `keysStart[c + 1]`), and what the window test needs of the contact.
 */
export class BalanceContacts {
  readonly keysStart = new IntList()
  readonly keys = new IntList()
  /** Index into `states`; 0 = the contact is never excluded (no state, or a state without rules). */
  readonly stateCode = new IntList()
  readonly birthDay = new IntList()
  readonly effectiveDay = new IntList()
  readonly states: Array<string> = [""]

  get length(): number {
    return this.stateCode.length
  }

  /** Adds a contact with its taken keys; returns its index. */
  add(
    keys: ReadonlyArray<number>,
    subject: { readonly state: string | undefined; readonly birthDay: number; readonly effectiveDay: number }
  ): number {
    const index = this.stateCode.length
    this.keysStart.push(this.keys.length)
    for (const key of keys) this.keys.push(key)
    let code = 0
    if (subject.state !== undefined) {
      code = this.states.indexOf(subject.state)
      if (code < 0) code = this.states.push(subject.state) - 1
    }
    this.stateCode.push(code)
    this.birthDay.push(subject.birthDay)
    this.effectiveDay.push(subject.effectiveDay)
    return index
  }

  /** Appends another list's contacts, mapping the type codes of their keys. */
  append(other: OwnerColumns, typeCodes: ArrayLike<number>): void {
    const count = other.stateCode.length
    for (let owner = 0; owner < count; owner++) {
      const keys: Array<number> = []
      const end = owner + 1 < count ? other.keysStart[owner + 1]! : other.keys.length
      for (let k = other.keysStart[owner]!; k < end; k++) {
        const key = other.keys[k]!
        keys.push(keyCode(typeCodes[key >>> 16]!, key & 0xffff))
      }
      const state = other.stateCode[owner]!
      this.add(keys, {
        state: state === 0 ? undefined : other.states[state],
        birthDay: other.birthDay[owner]!,
        effectiveDay: other.effectiveDay[owner]!
      })
    }
  }

  /** The used part of each column. */
  columns(): OwnerColumns {
    return {
      keysStart: this.keysStart.values.slice(0, this.keysStart.length),
      keys: this.keys.values.slice(0, this.keys.length),
      stateCode: this.stateCode.values.slice(0, this.stateCode.length),
      birthDay: this.birthDay.values.slice(0, this.birthDay.length),
      effectiveDay: this.effectiveDay.values.slice(0, this.effectiveDay.length),
      states: [...this.states]
    }
  }

  /** Gives back the unused end of each column once every contact is added. */
  trim(): void {
    for (const list of this.lists()) list.trim()
  }

  /** Gives back every column once balancing is done: writing does not read them (issue 11's memory). */
  release(): void {
    for (const list of this.lists()) list.clear()
    this.states.length = 1
  }

  private lists(): ReadonlyArray<IntList> {
    return [this.keysStart, this.keys, this.stateCode, this.birthDay, this.effectiveDay]
  }

  keysEnd(index: number): number {
    return index + 1 < this.keysStart.length ? this.keysStart.values[index + 1]! : this.keys.length
  }
}

/**
 * Numbers instead of strings for (email type, day) keys: balancing tests millions of them. Day numbers stay below
 * 2^16 until the year 2149, and type codes below 2^15.
 */
export const keyCode = (typeCode: number, day: number): number => (typeCode << 16) | day
