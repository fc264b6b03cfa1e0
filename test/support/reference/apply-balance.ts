import { dateFromDayNumber } from "../../../src/domain/dates.js"
import { metadataObject } from "../../../src/domain/events.js"
import { ED_SMOOTHING, stepNames } from "../../../src/plan/move-steps.js"
import type { PlanRecord } from "../../../src/plan/records.js"
import { canonicalJson } from "../../../src/rules/canonical-json.js"
import { type ExclusionContext, exclusionRanges, inRanges } from "../../../src/rules/windows.js"
import { type BalanceParameters, balance } from "./balance.js"
import type { BalanceInput } from "./load-plan.js"

/**
 * Phase 2 of a run (spec §11 step 9): balances the plan's pre-scheduled rows and rewrites the moved records with
 * their new date and a `moved` explanation. A row subject to exclusions (post-window rows too, spec §10.6) is
 * window-tested at its destination, and no destination takes a key held by another plan row or a handled row.
 */
export const balancePlan = (
  records: Array<PlanRecord>,
  input: BalanceInput,
  parameters: BalanceParameters,
  exclusion: ExclusionContext
): { readonly moved: number } => {
  // Balancing looks at most 366 days past a row's latest date: three years of windows cover every destination.
  const firstYear = Number(dateFromDayNumber(parameters.today).slice(0, 4))
  const ranges = new Map<number, Int32Array>()
  const excluded = (contactId: number, day: number): boolean => {
    const subject = input.subjects.get(contactId)
    if (subject === undefined) return false
    let contactRanges = ranges.get(contactId)
    if (contactRanges === undefined) {
      contactRanges = exclusionRanges(exclusion, subject, firstYear, firstYear + 3)
      ranges.set(contactId, contactRanges)
    }
    return inRanges(contactRanges, day)
  }
  const { days, moves } = balance(input.items, parameters, {
    isFree: (item, day) =>
      !(input.taken.get(item.contactId) ?? []).includes(input.keyCode(item.emailType, day)) &&
      !(item.subjectToExclusions && excluded(item.contactId, day)),
    onMove: (item, from, to) => {
      const taken = input.taken.get(item.contactId)
      if (taken === undefined) return
      const index = taken.indexOf(input.keyCode(item.emailType, from))
      if (index >= 0) taken[index] = input.keyCode(item.emailType, to)
      else taken.push(input.keyCode(item.emailType, to))
    }
  })
  // A held row kept on its held day (not its planned day) keeps its stored explanation.
  const finalMoves = new Map(moves)
  input.items.forEach((item, index) => {
    if (moves.has(index) || days[index] === item.plannedDay || days[index] !== item.heldDay) return
    const held = item.heldMove ?? { steps: 0, jitter: 0 }
    finalMoves.set(index, {
      day: days[index]!,
      steps: stepNames(held.steps),
      jitter: held.steps & ED_SMOOTHING ? held.jitter : undefined
    })
  })
  for (const [index, move] of finalMoves) {
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
  return { moved: finalMoves.size }
}
