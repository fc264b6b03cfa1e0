/** What the cap's order reads of the balance items (spec §10.5: priority, contact id, email type by name). */
export interface CapOrderFields {
  readonly length: number
  readonly priority: ArrayLike<number>
  readonly contactId: ArrayLike<number>
  readonly typeCode: ArrayLike<number>
}

/**
 * The cap's order as one 32-bit rank per item: `a` comes before `b` exactly when its rank is lower, and items equal in
 * all three fields share a rank (the cascade's merges keep such ties in the order they arrive). Ranks take half the
 * memory of one 53-bit key per item, at the moment balancing holds the most (issue 11's peak).
 *
 * The planner lists a contact's items together and contacts by ascending id, so one counting pass over the priorities
 * and a sort of each contact's few items give the order; items in any other order are sorted as a whole.
 */
export const capOrderRanks = (items: CapOrderFields, typeRanks: Int32Array): Int32Array => {
  const ranks = new Int32Array(items.length)
  if (!contactsAscend(items)) return ranksBySorting(items, typeRanks, ranks)
  const priorities = distinctPriorities(items)
  // Each priority's next rank, starting after every item of a lower priority.
  const next = new Float64Array(priorities.length)
  for (let index = 0; index < items.length; index++) next[bucketOf(priorities, items.priority[index]!)]!++
  for (let bucket = 0, start = 0; bucket < priorities.length; bucket++) {
    const count = next[bucket]!
    next[bucket] = start
    start += count
  }
  const before = (a: number, b: number) =>
    items.priority[a]! - items.priority[b]! || typeRanks[items.typeCode[a]!]! - typeRanks[items.typeCode[b]!]!
  let contactItems = new Int32Array(16)
  for (let first = 0; first < items.length; ) {
    let end = first + 1
    while (end < items.length && items.contactId[end] === items.contactId[first]) end++
    if (end - first > contactItems.length) contactItems = new Int32Array(end - first)
    // Insertion sort by (priority, type): a contact has a handful of items.
    for (let index = first; index < end; index++) {
      let at = index - first
      while (at > 0 && before(contactItems[at - 1]!, index) > 0) {
        contactItems[at] = contactItems[at - 1]!
        at--
      }
      contactItems[at] = index
    }
    for (let at = 0; at < end - first; at++) {
      const index = contactItems[at]!
      const bucket = bucketOf(priorities, items.priority[index]!)
      const previous = at === 0 ? -1 : contactItems[at - 1]!
      ranks[index] = previous >= 0 && before(previous, index) === 0 ? ranks[previous]! : next[bucket]!
      next[bucket]!++
    }
    first = end
  }
  return ranks
}

/** The priorities the items use, ascending (a handful: one per email kind and campaign type). */
const distinctPriorities = (items: CapOrderFields): Float64Array => {
  const seen = new Set<number>()
  let last = Number.NaN
  for (let index = 0; index < items.length; index++) {
    const priority = items.priority[index]!
    if (priority === last) continue
    seen.add(priority)
    last = priority
  }
  return Float64Array.from(seen).sort()
}

/** The index of `priority` in the ascending `priorities` (binary search). */
const bucketOf = (priorities: Float64Array, priority: number): number => {
  let low = 0
  let high = priorities.length - 1
  while (low < high) {
    const middle = (low + high) >>> 1
    if (priorities[middle]! < priority) low = middle + 1
    else high = middle
  }
  return low
}

const contactsAscend = (items: CapOrderFields): boolean => {
  for (let index = 1; index < items.length; index++) {
    if (items.contactId[index]! < items.contactId[index - 1]!) return false
  }
  return true
}

const ranksBySorting = (items: CapOrderFields, typeRanks: Int32Array, ranks: Int32Array): Int32Array => {
  const compare = (a: number, b: number) =>
    items.priority[a]! - items.priority[b]! ||
    items.contactId[a]! - items.contactId[b]! ||
    typeRanks[items.typeCode[a]!]! - typeRanks[items.typeCode[b]!]!
  const order = new Int32Array(items.length)
  for (let index = 0; index < items.length; index++) order[index] = index
  order.sort(compare)
  order.forEach((index, position) => {
    const previous = position === 0 ? -1 : order[position - 1]!
    ranks[index] = previous >= 0 && compare(previous, index) === 0 ? ranks[previous]! : position
  })
  return ranks
}
