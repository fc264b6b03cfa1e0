import type { Contact } from "../domain/contact.js"
import { addDays, anniversary, formatDate, type IsoDate } from "../domain/dates.js"
import type { Settings } from "../settings/settings.js"
import { Identity } from "./history.js"
import { Horizon } from "./horizon.js"
import type { Candidate } from "./plan.js"

/** next_anniversary(E, R): this year's anniversary if it is on or after R, else next year's (spec §1.1). */
export const nextAnniversary = (date: IsoDate, reference: IsoDate): IsoDate => {
  const year = Number(reference.slice(0, 4))
  const thisYear = anniversary(date, year)
  return thisYear >= reference ? thisYear : anniversary(date, year + 1)
}

/** Whole months from E to T: the day of month is ignored (spec §1.1). */
export const wholeMonths = (from: IsoDate, to: IsoDate): number =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + (Number(to.slice(5, 7)) - Number(from.slice(5, 7)))

/** The first day on which `wholeMonths(from, day)` reaches `months`: the first of that month. */
const firstDayMonthsAfter = (from: IsoDate, months: number): IsoDate => {
  const index = Number(from.slice(0, 4)) * 12 + Number(from.slice(5, 7)) - 1 + months
  return formatDate({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 })
}

const builtin = (
  emailType: "birthday" | "effective_date" | "aep",
  event: IsoDate,
  ideal: IsoDate,
  latest: IsoDate | undefined,
  priority: number,
  previousCycle = false
): Candidate => ({
  emailType,
  eventDate: event,
  idealDate: ideal,
  latestDate: latest,
  priority,
  campaignInstanceId: undefined,
  emailTemplate: undefined,
  smsTemplate: undefined,
  subjectToExclusions: true,
  identity: Identity.event(emailType, event),
  commitmentOnly: previousCycle ? "previous_cycle" : undefined,
  late: "catch_up",
  onTimeRule: "on_time",
  explanation: {},
  campaignUnderwriting: undefined,
  enrollmentIds: [],
  parentId: undefined
})

const anniversaryEmail = (
  emailType: "birthday" | "effective_date",
  date: IsoDate,
  horizon: Horizon,
  daysBefore: number,
  priority: number
): Candidate => {
  // The next anniversary on or after today stays the same until today passes it.
  const event = nextAnniversary(date, horizon.today)
  horizon.lastsThrough(event)
  return builtin(emailType, event, addDays(event, -daysBefore), daysBefore === 0 ? event : addDays(event, -1), priority)
}

/**
 * The built-in candidates (spec §5.2–§5.4) of a contact with a usable state, in the order of spec §11 step 4. Tests
 * against today are recorded in `horizon` (a fresh one when the caller does not need it).
 */
export const builtinCandidates = (
  contact: Contact,
  settings: Settings,
  today: IsoDate,
  horizon: Horizon = new Horizon(today)
): ReadonlyArray<Candidate> => {
  if (contact.state === undefined) return []
  const candidates: Array<Candidate> = []
  if (contact.birthDate !== undefined) {
    candidates.push(
      anniversaryEmail(
        "birthday",
        contact.birthDate,
        horizon,
        settings.birthday_days_before,
        settings.birthday_priority
      )
    )
  }
  const effective = contact.effectiveDate
  const firstEmailMonths = settings.effective_date_first_email_months
  if (effective !== undefined && wholeMonths(effective, today) >= firstEmailMonths) {
    candidates.push(
      anniversaryEmail(
        "effective_date",
        effective,
        horizon,
        settings.effective_date_days_before,
        settings.effective_date_priority
      )
    )
  } else if (effective !== undefined) horizon.changesOn(firstDayMonthsAfter(effective, firstEmailMonths))
  if (settings.aep_enabled) {
    const aep = `2001-${String(settings.aep_month).padStart(2, "0")}-${String(settings.aep_day).padStart(2, "0")}`
    const next = nextAnniversary(aep, today)
    horizon.lastsThrough(next)
    const previous = anniversary(aep, Number(next.slice(0, 4)) - 1)
    candidates.push(
      builtin("aep", next, next, undefined, settings.aep_priority),
      builtin("aep", previous, previous, undefined, settings.aep_priority, true)
    )
  }
  return candidates
}
