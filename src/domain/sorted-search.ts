/** The position of the first of the first `length` values of ascending `sorted` that is ≥ `value` (`length` if none). */
export const firstAtLeast = (sorted: Int32Array, value: number, length = sorted.length): number => {
  let low = 0
  let high = length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle]! < value) low = middle + 1
    else high = middle
  }
  return low
}

/** Whether ascending `sorted` holds `value`. */
export const sortedHas = (sorted: Int32Array, value: number): boolean => {
  const at = firstAtLeast(sorted, value)
  return at < sorted.length && sorted[at] === value
}
