import { dateFromDayNumber } from "../domain/dates.js"
import type { StateCode } from "../domain/states.js"
import { clearRunAt, type ExclusionContext, exclusionRanges, rangeEndAt } from "../rules/windows.js"
import { type BalanceParameters, type BalanceResult, balance } from "./balance.js"
import { type BalanceContacts, type BalanceItems, type EmailTypeCodes, keyCode } from "./balance-items.js"

/** No birth or effective date (day numbers of birthdays before 1970 are negative). */
export const NO_DAY = -(2 ** 31)

/**
 * Exclusion ranges are cached per contact, up to this many contacts at a time, to keep memory bounded. Most tests are
 * answered by each contact's clear interval (below) instead, so the cache serves the jumps over windows.
 */
const RANGE_CACHE_LIMIT = 20_000

/** No clear interval known yet: no day lies in [1, 0]. */
const UNKNOWN_FROM = 1
const UNKNOWN_TO = 0

/**
 * Phase 2 of a run (spec §11 step 9): balances the plan's pre-scheduled rows. A row subject to exclusions (post-window
 * rows too, spec §10.6) is window-tested at its destination, and no destination takes a key held by another plan row
 * or a handled row of the same contact.
 */
export const balancePlan = (
  items: BalanceItems,
  contacts: BalanceContacts,
  types: EmailTypeCodes,
  parameters: BalanceParameters,
  exclusion: ExclusionContext
): BalanceResult => {
  // Balancing looks at most 366 days past a row's latest date: three years of windows cover every destination.
  const firstYear = Number(dateFromDayNumber(parameters.today).slice(0, 4))
  const ranges = new Map<number, Int32Array>()
  const rangesOf = (owner: number): Int32Array | undefined => {
    const state = contacts.stateCode.values[owner]!
    if (state === 0) return undefined
    let contactRanges = ranges.get(owner)
    if (contactRanges === undefined) {
      const birthDay = contacts.birthDay.values[owner]!
      const effectiveDay = contacts.effectiveDay.values[owner]!
      contactRanges = exclusionRanges(
        exclusion,
        {
          state: contacts.states[state] as StateCode,
          birthDate: birthDay === NO_DAY ? undefined : dateFromDayNumber(birthDay),
          effectiveDate: effectiveDay === NO_DAY ? undefined : dateFromDayNumber(effectiveDay)
        },
        firstYear,
        firstYear + 3
      )
      if (ranges.size >= RANGE_CACHE_LIMIT) ranges.clear()
      ranges.set(owner, contactRanges)
    }
    return contactRanges
  }
  // Each contact's last-found run of days outside all its ranges: the cascade tests a contact's rows on one day after
  // the other, and at 3 M contacts recomputing the ranges for each test was two thirds of balancing (issue 11).
  const clearFrom = new Int32Array(contacts.length).fill(UNKNOWN_FROM)
  const clearTo = new Int32Array(contacts.length).fill(UNKNOWN_TO)
  /** The last day of the contact's exclusion range that holds `day`, or undefined when it is not excluded. */
  const excludedUntil = (index: number, day: number): number | undefined => {
    if (items.subjectToExclusions[index] !== 1) return undefined
    const owner = items.owner[index]!
    if (clearFrom[owner]! <= day && day <= clearTo[owner]!) return undefined
    const contactRanges = rangesOf(owner)
    if (contactRanges === undefined) return undefined
    const end = rangeEndAt(contactRanges, day)
    if (end === undefined) {
      const clear = clearRunAt(contactRanges, day)
      clearFrom[owner] = clear.from
      clearTo[owner] = clear.to
    }
    return end
  }
  const keys = contacts.keys.values
  const findKey = (owner: number, key: number): number => {
    for (let k = contacts.keysStart.values[owner]!, end = contacts.keysEnd(owner); k < end; k++) {
      if (keys[k] === key) return k
    }
    return -1
  }
  const effectiveDate = types.names.indexOf("effective_date")
  return balance(
    items,
    { effectiveDate: effectiveDate < 0 ? undefined : effectiveDate, ranks: types.ranks() },
    parameters,
    {
      isFree: (index, day) =>
        findKey(items.owner[index]!, keyCode(items.typeCode[index]!, day)) < 0 &&
        excludedUntil(index, day) === undefined,
      refusedUntil: (index, day) => excludedUntil(index, day) ?? day,
      // The item's own key is always among its contact's keys: it moves with the item.
      onMove: (index, from, to) => {
        const k = findKey(items.owner[index]!, keyCode(items.typeCode[index]!, from))
        if (k >= 0) keys[k] = keyCode(items.typeCode[index]!, to)
      }
    }
  )
}
