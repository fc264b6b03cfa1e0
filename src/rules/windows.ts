import { addDays, anniversary, type IsoDate, toDayNumber } from "../domain/dates.js"
import type { StateCode } from "../domain/states.js"
import type { RuleKind, Ruleset, StateRule } from "./rulesets.js"

/** What the window test needs of a contact (spec §4.6). */
export interface WindowSubject {
  readonly state: StateCode | undefined
  readonly birthDate: IsoDate | undefined
  readonly effectiveDate: IsoDate | undefined
}

/** The exclusion context of a run: the organization's ruleset and buffers (spec §4.5). */
export interface ExclusionContext {
  readonly ruleset: Ruleset
  readonly defaultBuffer: number
  readonly stateBuffers: Readonly<Record<string, number>>
}

export interface YearRoundHit {
  readonly kind: "year_round"
  readonly code: string
  readonly rule: StateRule
}

export interface WindowHit {
  readonly kind: "birthday" | "effective_date"
  readonly code: string
  readonly rule: StateRule
  /** The real anniversary in the anchor year (not the NV month start). */
  readonly event: IsoDate
  readonly anchor: IsoDate
  readonly start: IsoDate
  readonly end: IsoDate
  readonly buffer: number
}

export type ExclusionHit = YearRoundHit | WindowHit

const KIND_ORDER: ReadonlyArray<RuleKind> = ["year_round", "birthday", "effective_date"]

const inForce = (rule: StateRule, date: IsoDate): boolean =>
  (rule.effectiveFrom === undefined || rule.effectiveFrom <= date) &&
  (rule.effectiveTo === undefined || date <= rule.effectiveTo)

/**
 * Each state's rules in kind order year_round, birthday, effective_date (spec §4.1), the ruleset's order within a kind;
 * kept per ruleset, because a run tests millions of dates against the same few rules.
 */
const rulesByState = new WeakMap<Ruleset, ReadonlyMap<string, ReadonlyArray<StateRule>>>()
const rulesOfState = (ruleset: Ruleset, state: StateCode): ReadonlyArray<StateRule> => {
  let byState = rulesByState.get(ruleset)
  if (byState === undefined) {
    const grouped = new Map<string, Array<StateRule>>()
    for (const kind of KIND_ORDER) {
      for (const rule of ruleset.rules) {
        if (rule.kind !== kind) continue
        const list = grouped.get(rule.state)
        if (list === undefined) grouped.set(rule.state, [rule])
        else list.push(rule)
      }
    }
    byState = grouped
    rulesByState.set(ruleset, byState)
  }
  return byState.get(state) ?? NO_RULES
}
const NO_RULES: ReadonlyArray<StateRule> = []

/** Rules of `state` in force on `date`, in kind order year_round, birthday, effective_date (spec §4.1). */
export const rulesInForce = (ruleset: Ruleset, state: StateCode, date: IsoDate): ReadonlyArray<StateRule> =>
  rulesOfState(ruleset, state).filter((rule) => inForce(rule, date))

export const bufferOf = (context: ExclusionContext, state: StateCode): number =>
  context.stateBuffers[state] ?? context.defaultBuffer

/** The window of `rule` anchored in `year` for the anniversary date `eventDate` (spec §4.6). */
export const windowOf = (
  rule: StateRule,
  eventDate: IsoDate,
  year: number,
  buffer: number
): Omit<WindowHit, "code" | "kind" | "rule"> => {
  const event = anniversary(eventDate, year)
  const anchor = rule.useMonthStart ? `${event.slice(0, 8)}01` : event
  return {
    event,
    anchor,
    start: addDays(anchor, -(rule.daysBefore + buffer)),
    end: addDays(anchor, rule.daysAfter),
    buffer
  }
}

/** Spec §4.6: the first exclusion that contains `date` for the contact, or undefined. Both ends are inclusive. */
export const exclusionAt = (
  context: ExclusionContext,
  subject: WindowSubject,
  date: IsoDate
): ExclusionHit | undefined => {
  const { state } = subject
  if (state === undefined) return undefined
  const year = Number(date.slice(0, 4))
  for (const rule of rulesOfState(context.ruleset, state)) {
    if (!inForce(rule, date)) continue
    if (rule.kind === "year_round") return { kind: "year_round", code: `year_round:${state}`, rule }
    const eventDate = rule.kind === "birthday" ? subject.birthDate : subject.effectiveDate
    if (eventDate === undefined) continue
    const buffer = bufferOf(context, state)
    for (let anchorYear = year - 1; anchorYear <= year + 1; anchorYear++) {
      const window = windowOf(rule, eventDate, anchorYear, buffer)
      if (window.start <= date && date <= window.end) {
        return { kind: rule.kind, code: `${rule.kind}_window:${state}`, rule, ...window }
      }
    }
  }
  return undefined
}

const FAR = 1 << 30

/**
 * Every day range in which `exclusionAt` finds an exclusion for the subject, for days whose year is in
 * [fromYear, toYear], as [start, end] pairs of day numbers. For hot loops (load balancing) that test many days of
 * one contact: a range test replaces the rule lookup and date arithmetic of each call.
 */
export const exclusionRanges = (
  context: ExclusionContext,
  subject: WindowSubject,
  fromYear: number,
  toYear: number
): Int32Array => {
  const { state } = subject
  if (state === undefined) return new Int32Array(0)
  const ranges: Array<number> = []
  for (const rule of context.ruleset.rules) {
    if (rule.state !== state) continue
    // A rule applies to day D only while it is in force on D.
    const from = rule.effectiveFrom === undefined ? -FAR : toDayNumber(rule.effectiveFrom)
    const to = rule.effectiveTo === undefined ? FAR : toDayNumber(rule.effectiveTo)
    const push = (start: number, end: number) => {
      const s = Math.max(start, from)
      const e = Math.min(end, to)
      if (s <= e) ranges.push(s, e)
    }
    if (rule.kind === "year_round") {
      push(-FAR, FAR)
      continue
    }
    const eventDate = rule.kind === "birthday" ? subject.birthDate : subject.effectiveDate
    if (eventDate === undefined) continue
    for (let year = fromYear - 1; year <= toYear + 1; year++) {
      const window = windowOf(rule, eventDate, year, bufferOf(context, state))
      push(toDayNumber(window.start), toDayNumber(window.end))
    }
  }
  return Int32Array.from(ranges)
}

export const inRanges = (ranges: Int32Array, day: number): boolean => rangeEndAt(ranges, day) !== undefined

/** The greatest end among the ranges that hold `day` (so everything up to it is excluded), or undefined. */
export const rangeEndAt = (ranges: Int32Array, day: number): number | undefined => {
  let end: number | undefined
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! <= day && day <= ranges[i + 1]! && (end === undefined || ranges[i + 1]! > end)) end = ranges[i + 1]
  }
  return end
}

/**
 * The longest run of days around `day`, which no range holds, within which no range holds any day: from the day after
 * the last range ending before it to the day before the first range starting after it (`day` itself in no range).
 */
export const clearRunAt = (ranges: Int32Array, day: number): { readonly from: number; readonly to: number } => {
  let from = -FAR
  let to = FAR
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i + 1]! < day) from = Math.max(from, ranges[i + 1]! + 1)
    else if (ranges[i]! > day) to = Math.min(to, ranges[i]! - 1)
  }
  return { from, to }
}
