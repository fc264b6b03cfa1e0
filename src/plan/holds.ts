import { Predicate } from "effect"
import type { IsoDate } from "../domain/dates.js"
import { type ExclusionContext, exclusionAt, type WindowSubject } from "../rules/windows.js"
import { type Commitment, type ContactHistory, emailKey } from "./history.js"
import { Horizon } from "./horizon.js"
import { DAILY_CAP, ED_SMOOTHING } from "./move-steps.js"
import type { Hold, PlannedEmail } from "./plan.js"

const STEP_BITS: Readonly<Record<string, number>> = { ed_smoothing: ED_SMOOTHING, daily_cap: DAILY_CAP }

/** The stored `moved` explanation as step bits and jitter; a row moved without a readable one counts as capped. */
const storedMove = (metadata: Readonly<Record<string, unknown>>): { steps: number; jitter: number } => {
  const moved = Predicate.isRecord(metadata.moved) ? metadata.moved : {}
  let steps = 0
  if (Array.isArray(moved.steps)) {
    for (const step of moved.steps) steps |= typeof step === "string" ? (STEP_BITS[step] ?? 0) : 0
  }
  const jitter = typeof moved.jitter === "number" && Number.isInteger(moved.jitter) ? moved.jitter : 0
  return { steps: steps === 0 ? DAILY_CAP : steps, jitter: steps & ED_SMOOTHING ? jitter : 0 }
}

/**
 * The stored row a planned row may be held on: a pre-scheduled row of the same identity, dated today or later and
 * within the row's latest date, that the planner's decision still stands behind: either its date is the one the
 * planner reused (a commitment) or its recorded planned date is tonight's planned date. A row whose plan changed
 * (new settings, new data) is not held: it is balanced again from its new planned date.
 */
const storedCounterpart = (row: PlannedEmail, history: ContactHistory, horizon: Horizon): Commitment | undefined => {
  if (row.identity === undefined) return undefined
  let found: Commitment | undefined
  for (const candidate of history.commitments.get(row.identity) ?? []) {
    const stored = candidate.row
    const date = stored.scheduled_send_date
    if (stored.status !== "pre-scheduled" || !horizon.notBefore(date) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) continue
    if (row.latestDate !== undefined && date > row.latestDate) continue
    if (stored.id === row.commitmentId) return candidate
    if (found === undefined && candidate.metadata.planned_date === row.date) found = candidate
  }
  return found
}

/**
 * Plan stability (docs/business-rules.md §10.5): each pre-scheduled row whose stored counterpart sits on a day that is
 * still acceptable for it (§10.6: not excluded when the row is window-tested, no other row of the plan and no handled
 * row with that key) is held there; load balancing then keeps it on that day while the held rows of the day fit the
 * cap. The rows are returned in the same order.
 */
export const holdRows = (
  rows: ReadonlyArray<PlannedEmail>,
  history: ContactHistory,
  context: {
    readonly subject: WindowSubject
    readonly exclusion: ExclusionContext
    readonly today: IsoDate
    /** Records the tests against today (plan/horizon.ts). */
    readonly horizon?: Horizon
  }
): ReadonlyArray<PlannedEmail> => {
  const horizon = context.horizon ?? new Horizon(context.today)
  // Only a row held on another day than planned needs the plan's keys: most contacts have none.
  let planKeys: ReadonlySet<string> | undefined
  const heldKeys = new Set<string>()
  return rows.map((row) => {
    if (row.status !== "pre-scheduled") return row
    const stored = storedCounterpart(row, history, horizon)
    if (stored === undefined) return row
    const date = stored.row.scheduled_send_date
    if (date !== row.date) {
      const key = emailKey(row.emailType, date)
      planKeys ??= new Set(rows.map((planned) => emailKey(planned.emailType, planned.date)))
      if (planKeys.has(key) || heldKeys.has(key) || history.handledKeys.has(key)) return row
      const windowTested = row.subjectToExclusions || row.emailType === "post_window"
      if (windowTested && exclusionAt(context.exclusion, context.subject, date) !== undefined) return row
      heldKeys.add(key)
    }
    const hold: Hold = date === row.date ? { date, steps: 0, jitter: 0 } : { date, ...storedMove(stored.metadata) }
    return { ...row, hold }
  })
}
