/**
 * Calendar dates (spec §1.1) as `YYYY-MM-DD` strings and as day numbers (days since 1970-01-01).
 * Pure integer arithmetic: no `Date` objects, no time zones.
 */

export type IsoDate = string

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

export const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0)

export const isValidCalendarDate = (year: number, month: number, day: number): boolean =>
  Number.isInteger(year) &&
  year >= 1 &&
  year <= 9999 &&
  month >= 1 &&
  month <= 12 &&
  day >= 1 &&
  day <= daysInMonth(year, month)

/** Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's `days_from_civil`. */
export const dayNumber = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

export interface CivilDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

export const civilFromDayNumber = (days: number): CivilDate => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)
const pad4 = (n: number): string => String(n).padStart(4, "0")

export const formatDate = ({ year, month, day }: CivilDate): IsoDate => `${pad4(year)}-${pad2(month)}-${pad2(day)}`

/**
 * Runs format tens of millions of dates, nearly all within a few years: each day's text is kept once (a pure
 * function, so a cache changes nothing but the time).
 */
const dateTexts = new Map<number, IsoDate>()
export const dateFromDayNumber = (days: number): IsoDate => {
  let text = dateTexts.get(days)
  if (text === undefined) {
    text = formatDate(civilFromDayNumber(days))
    if (dateTexts.size >= 100_000) dateTexts.clear()
    dateTexts.set(days, text)
  }
  return text
}

/** Parses an exact `YYYY-MM-DD` string; undefined when it is not a real calendar date. */
export const parseIsoDate = (text: string): CivilDate | undefined => {
  if (text.length !== 10 || text[4] !== "-" || text[7] !== "-") return undefined
  const year = digitsValue(text, 0, 4)
  const month = digitsValue(text, 5, 7)
  const day = digitsValue(text, 8, 10)
  if (year === undefined || month === undefined || day === undefined) return undefined
  return isValidCalendarDate(year, month, day) ? { year, month, day } : undefined
}

const digitsValue = (text: string, from: number, to: number): number | undefined => {
  let value = 0
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i) - 48
    if (code < 0 || code > 9) return undefined
    value = value * 10 + code
  }
  return value
}

/**
 * `parseIsoDate` then `dayNumber`, without the intermediate object (runs convert tens of millions of dates); undefined
 * when the text is not a real calendar date.
 */
export const dayNumberOf = (date: string): number | undefined => {
  const year = date.length === 10 && date[4] === "-" && date[7] === "-" ? digitsValue(date, 0, 4) : undefined
  const month = digitsValue(date, 5, 7)
  const day = digitsValue(date, 8, 10)
  if (year === undefined || month === undefined || day === undefined || !isValidCalendarDate(year, month, day)) {
    return undefined
  }
  return dayNumber(year, month, day)
}

/** `dayNumberOf` for a text that must be a date: a RangeError otherwise. */
export const toDayNumber = (date: IsoDate): number => {
  const days = dayNumberOf(date)
  if (days === undefined) throw new RangeError(`not a calendar date: ${date}`)
  return days
}

export const addDays = (date: IsoDate, days: number): IsoDate => dateFromDayNumber(toDayNumber(date) + days)

/** `b − a` in days. */
export const daysBetween = (a: IsoDate, b: IsoDate): number => toDayNumber(b) - toDayNumber(a)

/**
 * The result of reading a date column (spec §3.3): NULL, empty or the text `NULL` is missing (silently);
 * a value that starts with a real `YYYY-MM-DD`, optionally followed by `T` or a space and anything, is that date;
 * anything else is `invalid` (treated as missing, with a `bad_date` warning).
 */
export type LooseDate =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Valid"; readonly date: IsoDate }
  | { readonly _tag: "Invalid"; readonly raw: string }

const MISSING: LooseDate = { _tag: "Missing" }

export const readLooseDate = (raw: string | null | undefined): LooseDate => {
  if (raw === null || raw === undefined) return MISSING
  const text = raw.trim()
  if (text === "" || text.toUpperCase() === "NULL") return MISSING
  const head = text.slice(0, 10)
  const rest = text.slice(10)
  const civil = parseIsoDate(head)
  if (civil === undefined || (rest !== "" && rest[0] !== "T" && rest[0] !== " ")) return { _tag: "Invalid", raw }
  return { _tag: "Valid", date: head }
}

/** anniversary(E, Y): E's month and day in year Y; Feb 29 becomes Feb 28 in a non-leap year (spec §1.1). */
export const anniversary = (date: IsoDate, year: number): IsoDate => {
  const month = Number(date.slice(5, 7))
  const day = Number(date.slice(8, 10))
  return formatDate({ year, month, day: month === 2 && day === 29 && !isLeapYear(year) ? 28 : day })
}

/**
 * The business dates a run accepts (`--as-of`, `AS_OF`): 2000-01-01 to 2100-12-31. Outside that range a date is a
 * typing mistake (a year 1900 or 9999 plan would be written, or the date arithmetic fails), never a real night.
 */
export const BUSINESS_DATE_RANGE = { from: "2000-01-01", to: "2100-12-31" } as const

/** Why `text` is not a usable business date, in words; undefined when it is one. */
export const businessDateProblem = (text: string): string | undefined => {
  if (parseIsoDate(text) === undefined) return `must be a calendar date written YYYY-MM-DD (got "${text}")`
  if (text < BUSINESS_DATE_RANGE.from || text > BUSINESS_DATE_RANGE.to)
    return `must be between ${BUSINESS_DATE_RANGE.from} and ${BUSINESS_DATE_RANGE.to} (got "${text}")`
  return undefined
}
