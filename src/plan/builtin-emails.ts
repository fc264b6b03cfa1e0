import type { Contact } from "../domain/contact.js"
import { addDays, anniversary, type IsoDate } from "../domain/dates.js"
import type { Settings } from "../settings/settings.js"
import { Identity } from "./history.js"
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
  today: IsoDate,
  daysBefore: number,
  priority: number
): Candidate => {
  const event = nextAnniversary(date, today)
  return builtin(emailType, event, addDays(event, -daysBefore), daysBefore === 0 ? event : addDays(event, -1), priority)
}

/** The built-in candidates (spec §5.2–§5.4) of a contact with a usable state, in the order of spec §11 step 4. */
export const builtinCandidates = (contact: Contact, settings: Settings, today: IsoDate): ReadonlyArray<Candidate> => {
  if (contact.state === undefined) return []
  const candidates: Array<Candidate> = []
  if (contact.birthDate !== undefined) {
    candidates.push(
      anniversaryEmail("birthday", contact.birthDate, today, settings.birthday_days_before, settings.birthday_priority)
    )
  }
  const effective = contact.effectiveDate
  if (effective !== undefined && wholeMonths(effective, today) >= settings.effective_date_first_email_months) {
    candidates.push(
      anniversaryEmail(
        "effective_date",
        effective,
        today,
        settings.effective_date_days_before,
        settings.effective_date_priority
      )
    )
  }
  if (settings.aep_enabled) {
    const aep = `2001-${String(settings.aep_month).padStart(2, "0")}-${String(settings.aep_day).padStart(2, "0")}`
    const next = nextAnniversary(aep, today)
    const previous = anniversary(aep, Number(next.slice(0, 4)) - 1)
    candidates.push(
      builtin("aep", next, next, undefined, settings.aep_priority),
      builtin("aep", previous, previous, undefined, settings.aep_priority, true)
    )
  }
  return candidates
}
