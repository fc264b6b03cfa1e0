/**
 * Rows of statement values on their way to the write thread (db/write-thread.ts), in a form that crosses threads
 * cheaply. As a plain array, each message of 5,000 rows was about 70,000 values that `postMessage` copied one by one
 * (8.7 s of a 1 M first run's main thread) and the thread rebuilt one by one. And the array was too large for the young
 * generation, so every string pushed into it went through the collector's write barrier (the pushes took 6.8 s more).
 * Here numbers go into a Float64Array and each value's kind into a Uint8Array, both transferred without a copy. A short
 * string (a type, a date, a status, a template) goes into a per-message table once, and each use is its number. A long
 * string (an explanation, which is nearly always unique) goes into a list of its own.
 */

/** What each value slot holds. */
const NULL = 0
const NUMBER = 1
const TABLE_STRING = 2
const LONG_STRING = 3

/** Strings longer than this are not looked up in the table: explanations are long and nearly all distinct. */
const LONGEST_TABLE_STRING = 64

/** The values of a message, as they cross to the thread (a structured-clone-friendly object). */
export interface ValueColumnsData {
  readonly length: number
  readonly numbers: Float64Array
  readonly kinds: Uint8Array
  readonly table: ReadonlyArray<string>
  readonly long: ReadonlyArray<string>
}

/** Anything values can be pushed onto one at a time: a plain array, or `ValueColumns`. */
export interface ValueSink {
  push(value: string | number | null): unknown
}

/** Buffers kept for reuse: a message's two, and some for the messages in flight. */
const MOST_FREE_BUFFERS = 8

/**
 * Column buffers the thread gave back once it wrote their rows, for the next messages. A 1 M run sends about 900
 * messages: new buffers for each would be garbage outside the heap (600 KB a message), which the thread's collector
 * frees only once enough of it has piled up.
 */
export class ColumnBuffers {
  private readonly free: Array<readonly [Float64Array, Uint8Array]> = []
  /** Buffers for at least `capacity` values. */
  take(capacity: number): readonly [Float64Array, Uint8Array] {
    const index = this.free.findIndex(([, kinds]) => kinds.length >= capacity)
    if (index >= 0) return this.free.splice(index, 1)[0]!
    return [new Float64Array(capacity), new Uint8Array(capacity)]
  }
  give(numbers: Float64Array, kinds: Uint8Array): void {
    if (this.free.length < MOST_FREE_BUFFERS && kinds.length > 0 && numbers.length === kinds.length) {
      this.free.push([numbers, kinds])
    }
  }
  get size(): number {
    return this.free.length
  }
}

/** Values pushed one by one (`ValueSink`), handed over with `take`, which starts an empty set. */
export class ValueColumns implements ValueSink {
  // Empty until the first value: buffers are taken only for values that will be sent.
  private numbers: Float64Array = new Float64Array(0)
  private kinds: Uint8Array = new Uint8Array(0)
  private table: Array<string> = []
  private codes = new Map<string, number>()
  private long: Array<string> = []
  length = 0

  constructor(
    private readonly capacity = 1024,
    private readonly buffers = new ColumnBuffers()
  ) {}

  push(value: string | number | null): void {
    const at = this.length
    if (at === this.kinds.length) this.grow()
    this.length = at + 1
    if (typeof value === "number") {
      this.kinds[at] = NUMBER
      this.numbers[at] = value
    } else if (value === null) this.kinds[at] = NULL
    else if (value.length > LONGEST_TABLE_STRING) {
      this.kinds[at] = LONG_STRING
      this.numbers[at] = this.long.push(value) - 1
    } else {
      let code = this.codes.get(value)
      if (code === undefined) {
        code = this.table.push(value) - 1
        this.codes.set(value, code)
      }
      this.kinds[at] = TABLE_STRING
      this.numbers[at] = code
    }
  }

  private grow(): void {
    if (this.kinds.length === 0) {
      ;[this.numbers, this.kinds] = this.buffers.take(this.capacity)
      return
    }
    const numbers = new Float64Array(this.kinds.length * 2)
    numbers.set(this.numbers)
    const kinds = new Uint8Array(this.kinds.length * 2)
    kinds.set(this.kinds)
    this.numbers = numbers
    this.kinds = kinds
  }

  /**
   * The values pushed so far (their buffers are to be transferred, not copied, and given back to `buffers` once
   * used), leaving this empty.
   */
  take(): ValueColumnsData {
    const data: ValueColumnsData = {
      length: this.length,
      numbers: this.numbers,
      kinds: this.kinds,
      table: this.table,
      long: this.long
    }
    this.numbers = new Float64Array(0)
    this.kinds = new Uint8Array(0)
    this.table = []
    this.codes = new Map()
    this.long = []
    this.length = 0
    return data
  }

  /** Columns of the given values. */
  static of(values: ReadonlyArray<string | number | null>, buffers?: ColumnBuffers): ValueColumnsData {
    const columns = new ValueColumns(Math.max(1, values.length), buffers)
    for (const value of values) columns.push(value)
    return columns.take()
  }
}

/**
 * The buffers `postMessage` moves instead of copying them, to the thread and back. Self-contained: the thread's program
 * embeds its source too.
 */
export function transferables(data: ValueColumnsData): Array<ArrayBuffer> {
  const buffers: Array<ArrayBuffer> = []
  for (const view of [data.numbers, data.kinds]) {
    if (view.buffer instanceof ArrayBuffer && view.byteLength > 0) buffers.push(view.buffer)
  }
  return buffers
}

/**
 * Writes `count` values from slot `from` into `into` from its start, as they were pushed. Self-contained (no imports,
 * its constants written out): the write thread's program embeds its source, so the thread decodes exactly as tested.
 */
export function fillValues(data: ValueColumnsData, from: number, count: number, into: Array<unknown>): void {
  const { numbers, kinds, table, long } = data
  for (let k = 0; k < count; k++) {
    const at = from + k
    const kind = kinds[at]
    // 0 null, 1 number, 2 a table string, 3 a long string (the constants above).
    into[k] = kind === 1 ? numbers[at] : kind === 2 ? table[numbers[at]!] : kind === 3 ? long[numbers[at]!] : null
  }
}
