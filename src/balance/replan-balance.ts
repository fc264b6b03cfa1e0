import { dateFromDayNumber, toDayNumber } from "../domain/dates.js"
import type { PlannedEmail } from "../plan/index.js"
import { dayKey, ED_SMOOTHING, HELD, stepNames } from "../plan/index.js"
import type { BalanceResult } from "./balance.js"
import type { EmailTypeCodes, ItemKeys } from "./balance-items.js"

/** How a pre-scheduled row was balanced: its final day, and the steps and jitter of its `moved` explanation. */
interface BalanceOutcome {
  readonly day: number
  readonly steps: number
  readonly jitter: number
}

/** The row as written for a balance outcome (spec §14.2 `moved`). */
const balancedEmail = (row: PlannedEmail, outcome: BalanceOutcome): PlannedEmail => {
  if (outcome.day === toDayNumber(row.date)) return row
  return {
    ...row,
    date: dateFromDayNumber(outcome.day),
    metadata: {
      ...row.metadata,
      moved: {
        from: row.date,
        steps: stepNames(outcome.steps),
        ...(outcome.steps & ED_SMOOTHING ? { jitter: outcome.jitter } : {})
      }
    }
  }
}

/**
 * The rows of a contact that pass 2 plans again because the sender changed its stored rows after pass 1 read them.
 * Each pre-scheduled row takes the decision of the balance item planned for it in pass 1 (same type and planned
 * day); a row without its item, or whose destination key another row now holds, keeps its planned date: it passed
 * every rule when planned.
 */
export const applyBalance = (
  rows: ReadonlyArray<PlannedEmail>,
  itemRange: { readonly start: number; readonly end: number },
  items: ItemKeys,
  types: EmailTypeCodes,
  result: BalanceResult
): Array<PlannedEmail> => {
  const used = new Set<number>()
  const balanced = rows.map((row) => {
    if (row.status !== "pre-scheduled") return row
    const day = toDayNumber(row.date)
    const type = types.code(row.emailType)
    for (let item = itemRange.start; item < itemRange.end; item++) {
      if (used.has(item) || items.typeCode[item] !== type || items.plannedDay[item] !== day) continue
      used.add(item)
      const outcome: BalanceOutcome = {
        day: result.days[item]!,
        steps: result.steps[item]! & HELD ? (row.hold?.steps ?? 0) : result.steps[item]!,
        jitter: result.steps[item]! & HELD ? (row.hold?.jitter ?? 0) : result.jitter[item]!
      }
      return balancedEmail(row, outcome)
    }
    return row
  })
  const keys = new Set(rows.map((row) => dayKey(row.emailType, row.date)))
  return balanced.map((row, index) => {
    const planned = rows[index]!
    if (row === planned || keys.has(dayKey(row.emailType, row.date))) return planned
    keys.add(dayKey(row.emailType, row.date))
    return row
  })
}
