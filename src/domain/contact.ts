import { Schema } from "effect"
import { type IsoDate, type LooseDate, readLooseDate } from "./dates.js"
import { isValidEmail } from "./email-address.js"
import { isStateCode, type StateCode, stateOfZip5, zip5Of } from "./states.js"

/** A `contacts` row as stored: only the columns the scheduler reads (spec §2.1). */
export const ContactRow = Schema.Struct({
  id: Schema.Int,
  email: Schema.NullOr(Schema.String),
  current_carrier: Schema.NullOr(Schema.String),
  birth_date: Schema.NullOr(Schema.String),
  effective_date: Schema.NullOr(Schema.String),
  state: Schema.NullOr(Schema.String),
  zip_code: Schema.NullOr(Schema.String)
})
export type ContactRow = typeof ContactRow.Type

/** Why a contact is reported in the run report (spec §12.5). `malformed_row` is a row that could not be decoded. */
export const ContactIssue = Schema.Literal("invalid_email", "no_state", "bad_date", "state_differs_from_zip")
export type ContactIssue = typeof ContactIssue.Type

/** A validated contact: what the rules need, nothing else. */
export interface Contact {
  readonly id: number
  readonly emailValid: boolean
  /** The resolved usable state (spec §3.4), undefined when the contact has no state. */
  readonly state: StateCode | undefined
  readonly birthDate: IsoDate | undefined
  readonly effectiveDate: IsoDate | undefined
  /** Trimmed carrier, undefined when empty (spec §3.6). */
  readonly carrier: string | undefined
  /** Every reason this contact appears in the report, in the order of `ContactIssue`. */
  readonly issues: ReadonlyArray<ContactIssue>
}

/**
 * The day a birth date after today stops being invalid data for `validateContact` (its date arrives), or undefined.
 * A plan made today may change on that day (plan/horizon.ts).
 */
export const birthDateArrives = (row: ContactRow, today: IsoDate): IsoDate | undefined => {
  const read = readLooseDate(row.birth_date)
  return read._tag === "Valid" && read.date > today ? read.date : undefined
}

/**
 * Spec §3.2–§3.4, §3.6: never fails; problems become issues on the contact. Given the business date, a birth date
 * after it is invalid data too (`bad_date`, docs/business-rules.md §17): nobody on a Medigap policy is born tomorrow.
 */
export const validateContact = (row: ContactRow, today?: IsoDate): Contact => {
  const issues: Array<ContactIssue> = []
  const emailValid = row.email !== null && isValidEmail(row.email)
  if (!emailValid) issues.push("invalid_email")

  const zip5 = zip5Of(row.zip_code)
  const zipState = zip5 === undefined ? undefined : stateOfZip5(zip5)
  const columnState = row.state?.trim().toUpperCase() ?? ""
  const stateColumn = isStateCode(columnState) ? columnState : undefined
  const state = zipState ?? stateColumn
  if (state === undefined) issues.push("no_state")

  const read = readLooseDate(row.birth_date)
  const birth: LooseDate =
    read._tag === "Valid" && today !== undefined && read.date > today ? { _tag: "Invalid", raw: read.date } : read
  const effective = readLooseDate(row.effective_date)
  if (birth._tag === "Invalid" || effective._tag === "Invalid") issues.push("bad_date")

  // An empty state column is not a disagreement; any other value that differs from the ZIP's state is.
  if (zipState !== undefined && columnState !== "" && columnState !== zipState) issues.push("state_differs_from_zip")

  const carrier = row.current_carrier?.trim() ?? ""
  return {
    id: row.id,
    emailValid,
    state,
    birthDate: birth._tag === "Valid" ? birth.date : undefined,
    effectiveDate: effective._tag === "Valid" ? effective.date : undefined,
    carrier: carrier === "" ? undefined : carrier,
    issues
  }
}
