import type { PlanStatus } from "./plan.js"

/** Plan rows by email type and status, and skipped rows by reason (spec §12.5 run report). */
export interface PlanSummary {
  readonly rows: number
  readonly preScheduled: number
  readonly skipped: number
  readonly byType: Readonly<Record<string, { readonly preScheduled: number; readonly skipped: number }>>
  readonly bySkipReason: Readonly<Record<string, number>>
  /** By the contact's resolved state ("none" without one). */
  readonly byState: Readonly<Record<string, { readonly preScheduled: number; readonly skipped: number }>>
}

const tallyOf = (map: Map<string, { preScheduled: number; skipped: number }>, key: string) => {
  let tally = map.get(key)
  if (tally === undefined) {
    tally = { preScheduled: 0, skipped: 0 }
    map.set(key, tally)
  }
  return tally
}

export const makePlanSummary = () => {
  const byType = new Map<string, { preScheduled: number; skipped: number }>()
  const byState = new Map<string, { preScheduled: number; skipped: number }>()
  const bySkipReason = new Map<string, number>()
  let preScheduled = 0
  let skipped = 0
  return {
    add: (
      record: {
        readonly emailType: string
        readonly status: PlanStatus
        readonly skipReason: string | null | undefined
      },
      state: string | undefined
    ): void => {
      const type = tallyOf(byType, record.emailType)
      const stateTally = tallyOf(byState, state ?? "none")
      if (record.status === "pre-scheduled") {
        type.preScheduled++
        stateTally.preScheduled++
        preScheduled++
      } else {
        type.skipped++
        stateTally.skipped++
        skipped++
        const reason = record.skipReason ?? "unknown"
        bySkipReason.set(reason, (bySkipReason.get(reason) ?? 0) + 1)
      }
    },
    /** Adds another part of the plan's summary (a batch planned elsewhere). */
    addSummary: (part: PlanSummary): void => {
      preScheduled += part.preScheduled
      skipped += part.skipped
      for (const [name, tally] of Object.entries(part.byType)) {
        const mine = tallyOf(byType, name)
        mine.preScheduled += tally.preScheduled
        mine.skipped += tally.skipped
      }
      for (const [name, tally] of Object.entries(part.byState)) {
        const mine = tallyOf(byState, name)
        mine.preScheduled += tally.preScheduled
        mine.skipped += tally.skipped
      }
      for (const [reason, count] of Object.entries(part.bySkipReason)) {
        bySkipReason.set(reason, (bySkipReason.get(reason) ?? 0) + count)
      }
    },
    result: (): PlanSummary => ({
      rows: preScheduled + skipped,
      preScheduled,
      skipped,
      byType: Object.fromEntries([...byType].sort(([a], [b]) => (a < b ? -1 : 1))),
      byState: Object.fromEntries([...byState].sort(([a], [b]) => (a < b ? -1 : 1))),
      bySkipReason: Object.fromEntries([...bySkipReason].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)))
    })
  }
}
