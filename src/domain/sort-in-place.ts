/**
 * Sorts `list` in place by insertion, stable. For short or nearly sorted lists (an explanation's dozen keys, a batch's
 * lines out of order only within each contact) it is linear and allocates nothing, where `Array.prototype.sort` first
 * copies the list into a work array: on a run's hot paths that copy was gigabytes of garbage (issue 11).
 */
export const sortInPlace = <A>(list: Array<A>, order: (a: A, b: A) => number): Array<A> => {
  for (let i = 1; i < list.length; i++) {
    const item = list[i]!
    let j = i - 1
    while (j >= 0 && order(list[j]!, item) > 0) {
      list[j + 1] = list[j]!
      j--
    }
    list[j + 1] = item
  }
  return list
}
