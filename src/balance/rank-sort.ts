/**
 * From this many indexes up, two counting passes over 65,536 buckets beat a comparison sort (measured: about even at
 * 1,024 indexes, 0.10 against 0.33 ms at 2,048; below 512 the comparison sort is several times quicker).
 */
const COUNTING_SORT_FROM = 2048

/**
 * Sorts `indexes` in place by `ranks[index]` (non-negative 31-bit integers), stably: indexes with equal ranks keep
 * their order, as `Int32Array.prototype.sort` keeps them. Large lists go through a two-pass radix sort (16 bits a
 * pass): the day the initial blast starts holds a row of every contact, and a comparison sort of its million indexes
 * took 0.7 s of a 1 M first run's balancing, against 0.05 s.
 */
export const sortByRank = (indexes: Int32Array, ranks: Int32Array, scratch: RankSortScratch): Int32Array => {
  const length = indexes.length
  if (length < COUNTING_SORT_FROM) return indexes.sort((a, b) => ranks[a]! - ranks[b]!)
  const other = scratch.take(length)
  const counts = scratch.counts
  countingPass(indexes, other, length, ranks, 0, counts)
  countingPass(other, indexes, length, ranks, 16, counts)
  return indexes
}

/** One stable counting pass over the 16 bits of the ranks at `shift`, from `source` into `target`. */
const countingPass = (
  source: Int32Array,
  target: Int32Array,
  length: number,
  ranks: Int32Array,
  shift: number,
  counts: Int32Array
): void => {
  counts.fill(0)
  for (let i = 0; i < length; i++) counts[(ranks[source[i]!]! >>> shift) & 0xffff]!++
  for (let bucket = 0, start = 0; bucket < counts.length; bucket++) {
    const count = counts[bucket]!
    counts[bucket] = start
    start += count
  }
  for (let i = 0; i < length; i++) {
    const index = source[i]!
    target[counts[(ranks[index]! >>> shift) & 0xffff]!++] = index
  }
}

/**
 * An Int32Array reused from day to day, grown when a day needs more room: at a million contacts the cascade carries
 * about a million rows from one day to the next, and new arrays for each day's lists were garbage that raised the
 * run's peak memory (issue 11).
 */
export class ScratchBuffer {
  private values = new Int32Array(1024)
  take(length: number): Int32Array {
    if (this.values.length < length) this.values = new Int32Array(Math.max(length, this.values.length * 2))
    return this.values
  }
}

/** The buffers a sort reuses from day to day: the other side of its passes (`take`), and the bucket counts. */
export class RankSortScratch extends ScratchBuffer {
  readonly counts = new Int32Array(1 << 16)
}
