import { addDays, dateFromDayNumber, type IsoDate, toDayNumber } from "../domain/dates.js"

/** `days` after `date`; for text that is not a calendar date (a stored row's may be anything), tomorrow. */
const daysAfter = (date: IsoDate, days: number, today: IsoDate): IsoDate => {
  try {
    return dateFromDayNumber(toDayNumber(date) + days)
  } catch {
    return addDays(today, 1)
  }
}

/**
 * How long a plan holds by the calendar alone (issue 11, "plan valid until"): the first day after today on which
 * planning the same contact from the same data (its row, events, clicks, enrollments and stored rows, the campaigns and
 * the settings) could give a different plan. Every test the planner makes against today goes through one of these
 * methods, which answer it and record the day its answer would change; a value computed from today itself changes
 * tomorrow. Conservative by design: a recorded day may turn out to change nothing.
 */
export class Horizon {
  #first: IsoDate | undefined = undefined

  constructor(readonly today: IsoDate) {}

  /** The first day on which the plan may change, or undefined when no date alone can change it. */
  get first(): IsoDate | undefined {
    return this.#first
  }

  /** Something the plan depends on changes on `day` (days not after today are already past and ignored). */
  changesOn(day: IsoDate | undefined): void {
    if (day !== undefined && day > this.today && (this.#first === undefined || day < this.#first)) this.#first = day
  }

  /** The plan uses today's date itself (a catch-up or a "tomorrow" counted from it): it changes tomorrow. */
  usesToday(): void {
    this.changesOn(addDays(this.today, 1))
  }

  /** A value that stays the same through `date` and may change the day after. */
  lastsThrough(date: IsoDate): void {
    this.changesOn(daysAfter(date, 1, this.today))
  }

  /** `date ≥ today`: while it holds, it stops holding the day after `date`; once false it stays false. */
  notBefore(date: IsoDate): boolean {
    const holds = date >= this.today
    if (holds) this.changesOn(daysAfter(date, 1, this.today))
    return holds
  }

  /** `date > today`: while it holds, it stops holding on `date`; once false it stays false. */
  after(date: IsoDate): boolean {
    const holds = date > this.today
    if (holds) this.changesOn(daysAfter(date, 0, this.today))
    return holds
  }
}

/** The earlier of two horizons (undefined: never). */
export const earlierDay = (a: IsoDate | undefined, b: IsoDate | undefined): IsoDate | undefined =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b
