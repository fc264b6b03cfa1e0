import { Predicate } from "effect"
import { dateFromDayNumber, toDayNumber } from "../domain/dates.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { metadataObject } from "../domain/events.js"
import { DAILY_CAP, ED_SMOOTHING, stepNames } from "./balance.js"
import type { PlannedEmail } from "./plan.js"
import { type PlanRecord, toRecord } from "./records.js"
import { differs } from "./write.js"

/** How a pre-scheduled row was balanced: its final day, and the steps and jitter of its `moved` explanation. */
export interface BalanceOutcome {
  readonly day: number
  /** 0 when the row stays on its planned day. */
  readonly steps: number
  readonly jitter: number
}

/** The row as pass 2 writes it for a balance outcome (spec §14.2 `moved`). */
export const balancedEmail = (row: PlannedEmail, outcome: BalanceOutcome): PlannedEmail => {
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

const STEP_BITS: Readonly<Record<string, number>> = { ed_smoothing: ED_SMOOTHING, daily_cap: DAILY_CAP }

/** The balance outcome a stored row records in its `moved` explanation, when it has a readable one. */
const storedOutcome = (row: EmailScheduleRow): BalanceOutcome | undefined => {
  const moved = metadataObject(row.metadata).moved
  if (!Predicate.isRecord(moved) || !Array.isArray(moved.steps)) return undefined
  let steps = 0
  for (const step of moved.steps) steps |= typeof step === "string" ? (STEP_BITS[step] ?? 0) : 0
  const jitter = typeof moved.jitter === "number" ? moved.jitter : 0
  return { day: toDayNumber(row.scheduled_send_date), steps, jitter }
}

/**
 * Spec §12.4 says a run on unchanged data changes nothing. This recognises that case in pass 1, per contact: when
 * every planned row has a stored row equal to what pass 2 would write for it (on its planned day, or moved as the
 * stored `moved` explanation says) and no stored row would be deleted, it returns the balance outcome each
 * pre-scheduled row must get for the batch to be unchanged, and the final records. Pass 2 then skips a batch whose
 * outcomes all came out as predicted. Undefined when anything would be written.
 */
export const predictUnchanged = (
  rows: ReadonlyArray<PlannedEmail>,
  stored: ReadonlyArray<EmailScheduleRow>,
  time: string
): { readonly outcomes: ReadonlyArray<BalanceOutcome>; readonly records: ReadonlyArray<PlanRecord> } | undefined => {
  const owned = stored.filter((row) => !isHandledStatus(row.status))
  if (owned.length !== rows.length) return undefined
  const used = new Set<EmailScheduleRow>()
  const outcomes: Array<BalanceOutcome> = []
  const records: Array<PlanRecord> = []
  for (const row of rows) {
    const planned = toDayNumber(row.date)
    let match:
      | { readonly stored: EmailScheduleRow; readonly record: PlanRecord; readonly outcome: BalanceOutcome }
      | undefined
    for (const candidate of owned) {
      if (used.has(candidate) || candidate.email_type !== row.emailType) continue
      const outcome: BalanceOutcome | undefined =
        candidate.scheduled_send_date === row.date
          ? { day: planned, steps: 0, jitter: 0 }
          : row.status === "pre-scheduled"
            ? storedOutcome(candidate)
            : undefined
      if (outcome === undefined) continue
      const record = toRecord(balancedEmail(row, outcome), time)
      if (record.date === candidate.scheduled_send_date && !differs(candidate, record)) {
        match = { stored: candidate, record, outcome }
        break
      }
    }
    if (match === undefined) return undefined
    used.add(match.stored)
    records.push(match.record)
    if (row.status === "pre-scheduled") outcomes.push(match.outcome)
  }
  return { outcomes, records }
}
