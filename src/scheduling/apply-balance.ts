import { dateFromDayNumber } from "../domain/dates.js"
import { metadataObject } from "../domain/events.js"
import { canonicalJson } from "../rules/canonical-json.js"
import type { ExclusionContext } from "../rules/windows.js"
import { exclusionAt } from "../rules/windows.js"
import { type BalanceParameters, balance } from "./balance.js"
import { type BalanceInput, takenKey } from "./load-plan.js"
import type { PlanRecord } from "./records.js"

/**
 * Phase 2 of a run (spec §11 step 9): balances the plan's pre-scheduled rows and rewrites the moved records with
 * their new date and a `moved` explanation. Every row is window-tested at its destination (post-window rows too,
 * spec §10.6), and no destination takes a key held by another plan row or a handled row.
 */
export const balancePlan = (
  records: Array<PlanRecord>,
  input: BalanceInput,
  parameters: BalanceParameters,
  exclusion: ExclusionContext
): { readonly moved: number } => {
  const { days, moves } = balance(input.items, parameters, {
    isFree: (item, day) => {
      const date = dateFromDayNumber(day)
      if (input.takenKeys.has(takenKey(item.contactId, item.emailType, date))) return false
      const subject = input.subjects.get(item.contactId)
      return subject === undefined || exclusionAt(exclusion, subject, date) === undefined
    },
    onMove: (item, from, to) => {
      input.takenKeys.delete(takenKey(item.contactId, item.emailType, dateFromDayNumber(from)))
      input.takenKeys.add(takenKey(item.contactId, item.emailType, dateFromDayNumber(to)))
    }
  })
  for (const [index, move] of moves) {
    const recordIndex = input.recordIndex[index]!
    const record = records[recordIndex]!
    const metadata = metadataObject(record.metadata)
    records[recordIndex] = {
      ...record,
      date: dateFromDayNumber(days[index]!),
      metadata: canonicalJson({
        ...metadata,
        moved: { from: record.date, steps: move.steps, ...(move.jitter === undefined ? {} : { jitter: move.jitter }) }
      })
    }
  }
  return { moved: moves.size }
}
