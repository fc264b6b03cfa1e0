import type { Contact } from "../domain/contact.js"
import { addDays, anniversary, type IsoDate } from "../domain/dates.js"
import type { Settings } from "../settings/settings.js"

/** A birthday, effective-date or AEP email before its date is resolved (spec §5.1–§5.4). */
export interface BuiltinCandidate {
  readonly emailType: "birthday" | "effective_date" | "aep"
  readonly eventDate: IsoDate
  readonly idealDate: IsoDate
  readonly latestDate: IsoDate | undefined
  readonly priority: number
  /** The AEP of the cycle before today: it exists only through a commitment (spec §5.4). */
  readonly previousCycle: boolean
}

/** next_anniversary(E, R): this year's anniversary if it is on or after R, else next year's (spec §1.1). */
export const nextAnniversary = (date: IsoDate, reference: IsoDate): IsoDate => {
  const year = Number(reference.slice(0, 4))
  const thisYear = anniversary(date, year)
  return thisYear >= reference ? thisYear : anniversary(date, year + 1)
}

/** Whole months from E to T: the day of month is ignored (spec §1.1). */
export const wholeMonths = (from: IsoDate, to: IsoDate): number =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + (Number(to.slice(5, 7)) - Number(from.slice(5, 7)))

const anniversaryEmail = (
  emailType: "birthday" | "effective_date",
  date: IsoDate,
  today: IsoDate,
  daysBefore: number,
  priority: number
): BuiltinCandidate => {
  const event = nextAnniversary(date, today)
  return {
    emailType,
    eventDate: event,
    idealDate: addDays(event, -daysBefore),
    latestDate: daysBefore === 0 ? event : addDays(event, -1),
    priority,
    previousCycle: false
  }
}

/** The built-in candidates of a contact with a usable state, in the order of spec §11 step 4. */
export const builtinCandidates = (
  contact: Contact,
  settings: Settings,
  today: IsoDate
): ReadonlyArray<BuiltinCandidate> => {
  if (contact.state === undefined) return []
  const candidates: Array<BuiltinCandidate> = []
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
    const month = String(settings.aep_month).padStart(2, "0")
    const day = String(settings.aep_day).padStart(2, "0")
    const aep = `2001-${month}-${day}`
    const next = nextAnniversary(aep, today)
    const previous = anniversary(aep, Number(next.slice(0, 4)) - 1)
    const build = (event: IsoDate, previousCycle: boolean): BuiltinCandidate => ({
      emailType: "aep",
      eventDate: event,
      idealDate: event,
      latestDate: undefined,
      priority: settings.aep_priority,
      previousCycle
    })
    candidates.push(build(next, false), build(previous, true))
  }
  return candidates
}
