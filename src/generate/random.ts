/**
 * A small, fast, seeded PRNG (sfc32 seeded through splitmix32): the same seed always gives the same sequence, on
 * every platform, so generated organizations are reproducible byte for byte.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let state = seed >>> 0
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    for (let i = 0; i < 12; i++) this.uint32()
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** In [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<A>(items: ReadonlyArray<A>): A {
    const item = items[Math.floor(this.next() * items.length)]
    if (item === undefined) throw new RangeError("pick from an empty list")
    return item
  }
}

/** Picks items with given weights in O(log n) through a cumulative table. */
export class WeightedChoice<A> {
  private readonly items: ReadonlyArray<A>
  private readonly cumulative: ReadonlyArray<number>
  private readonly total: number

  constructor(weighted: ReadonlyArray<readonly [A, number]>) {
    this.items = weighted.map(([item]) => item)
    let sum = 0
    this.cumulative = weighted.map(([, weight]) => {
      sum += weight
      return sum
    })
    this.total = sum
  }

  pick(random: Random): A {
    const target = random.next() * this.total
    let low = 0
    let high = this.cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.cumulative[middle] ?? 0) > target) high = middle
      else low = middle + 1
    }
    return this.items[low]!
  }
}
