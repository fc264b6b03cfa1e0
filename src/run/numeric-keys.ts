import { EmailTypeCodes } from "../balance/index.js"
import type { StoredKey } from "../db/Database.js"
import { dayNumber, parseIsoDate } from "../domain/dates.js"

/** One more than the days from 1 January of year 1 to 1970: every calendar day from year 1 on is then positive. */
const DAY_OFFSET = 719_163
/** More than the 3.65 million days of years 1–9999. */
const DAYS_PER_TYPE = 2 ** 22

/**
 * Keys (email type, date) as numbers: the type's code times `DAYS_PER_TYPE` plus the shifted day. Pass 2 matches each
 * planned row with its contact's stored rows by key; joined key texts cost four new strings a row, hashed once each;
 * at a million contacts a night's write spent 3.8 s in that loop. A stored date that is not exactly a calendar date in
 * `YYYY-MM-DD` form gets NaN: it never equals a planned key, as its text never equalled a planned date.
 */
export const numericKeys = () => {
  const types = new EmailTypeCodes()
  const days = new Map<string, number>()
  const dayOf = (date: string): number => {
    let day = days.get(date)
    if (day === undefined) {
      const civil = parseIsoDate(date)
      day = civil === undefined ? Number.NaN : dayNumber(civil.year, civil.month, civil.day) + DAY_OFFSET
      // Bounded, since stored dates may be any text.
      if (days.size >= 100_000) days.clear()
      days.set(date, day)
    }
    return day
  }
  return {
    /** The code of each of a batch's type names, by the batch's own type code. */
    batchTypeCodes: (typeNames: ReadonlyArray<string>): Array<number> => typeNames.map((name) => types.code(name)),
    planned: (typeCode: number, day: number): number => typeCode * DAYS_PER_TYPE + day + DAY_OFFSET,
    stored: (key: StoredKey): number => types.code(key.emailType) * DAYS_PER_TYPE + dayOf(key.date)
  }
}

export type NumericKeys = ReturnType<typeof numericKeys>
