import { addDays, daysBetween, type IsoDate } from "../domain/dates.js"
import { hash30 } from "../rules/hash.js"
import type { Commitment } from "./history.js"
import { Horizon } from "./horizon.js"

/** The planned date and the parts of the explanation that describe how it was chosen (spec §14.2). */
export interface ResolvedDate {
  readonly date: IsoDate
  /** The stored row whose date was reused (spec §5.6.3), if any. */
  readonly commitmentId?: number
  readonly explanation: {
    readonly date_rule: string
    readonly catch_up?: unknown
    readonly spread?: unknown
  }
}

export interface DateRequest {
  readonly contactId: number
  readonly emailType: string
  readonly eventDate: IsoDate
  readonly idealDate: IsoDate
  readonly latestDate: IsoDate | undefined
  /** "on_time" normally; "spread" for spread campaigns (spec §7.5). */
  readonly onTimeRule: string
  readonly onTimeExtra?: Readonly<Record<string, unknown>>
  /** A trigger defaulted to today, or the previous-cycle AEP: only a commitment can date it (spec §5.5). */
  readonly commitmentOnly: "open_trigger" | "previous_cycle" | undefined
  /** Past ideal and no commitment: a catch-up before the latest date (§5.5) or, for follow-ups, tomorrow (§8.3). */
  readonly late: "catch_up" | "tomorrow"
  readonly commitment: Commitment | undefined
  readonly today: IsoDate
  readonly catchUpSpreadDays: number
  /** Records the tests against today (plan/horizon.ts); a fresh one when the caller does not need it. */
  readonly horizon?: Horizon
}

/** A reused commitment keeps its base date and copies the stored date explanation (spec §5.6.3, §14.2). */
const kept = ({ baseDate, metadata, row }: Commitment): ResolvedDate => ({
  date: baseDate,
  commitmentId: row.id,
  explanation: {
    date_rule: typeof metadata.date_rule === "string" ? metadata.date_rule : "kept",
    ...(metadata.catch_up === undefined ? {} : { catch_up: metadata.catch_up }),
    ...(metadata.spread === undefined ? {} : { spread: metadata.spread })
  }
})

/** Spec §5.5 and §8.3: on time, a kept commitment, a catch-up (or tomorrow), or no email (undefined). */
export const resolveDate = (request: DateRequest): ResolvedDate | undefined => {
  const { commitment, today } = request
  const horizon = request.horizon ?? new Horizon(today)
  if (request.commitmentOnly !== undefined) {
    if (commitment !== undefined) return kept(commitment)
    if (request.commitmentOnly === "previous_cycle") return undefined
  }
  if (horizon.notBefore(request.idealDate)) {
    return { date: request.idealDate, explanation: { date_rule: request.onTimeRule, ...request.onTimeExtra } }
  }
  if (commitment !== undefined) return kept(commitment)
  if (request.late === "tomorrow") {
    horizon.usesToday()
    return { date: addDays(today, 1), explanation: { date_rule: "followup_tomorrow" } }
  }
  const latest = request.latestDate
  if (latest !== undefined && horizon.notBefore(latest)) {
    horizon.usesToday()
    const modulus = Math.min(request.catchUpSpreadDays, daysBetween(today, latest) + 1)
    const input = `${request.contactId}-${request.emailType}-${request.eventDate.slice(0, 4)}`
    const hash = hash30(input)
    const offset = hash % modulus
    return {
      date: addDays(today, offset),
      explanation: { date_rule: "catch_up", catch_up: { input, hash, modulus, offset } }
    }
  }
  return undefined
}
