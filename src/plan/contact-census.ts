import type { MalformedRow } from "../db/decode.js"
import type { Contact, ContactIssue } from "../domain/contact.js"

const SAMPLE_SIZE = 20

/** `{"count": n, "sample": [up to 20 smallest contact ids]}` (spec §12.5). */
export interface CountWithSample {
  readonly count: number
  readonly sample: ReadonlyArray<number>
}

export interface ContactCensus {
  readonly total: number
  /** Contacts with a valid email: N of spec §10.2. */
  readonly withValidEmail: number
  readonly issues: Readonly<Record<ContactIssue, CountWithSample>>
  /** Contacts counted once in `contacts_with_warnings` (bad_date, spec §3.3). */
  readonly withWarnings: number
  /** Rows that could not be decoded at all; reported and skipped (their email rows are left alone). */
  readonly malformed: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
}

/**
 * Counts validated contacts by reason. Contacts arrive in ascending id order, so the first 20 ids of each reason
 * are its 20 smallest.
 */
export const makeCensus = () => {
  const fresh = () => ({ count: 0, sample: [] as number[] })
  const issues: Record<ContactIssue, { count: number; sample: Array<number> }> = {
    invalid_email: fresh(),
    no_state: fresh(),
    bad_date: fresh(),
    state_differs_from_zip: fresh()
  }
  const malformed = { count: 0, sample: [] as MalformedRow[] }
  let total = 0
  let withValidEmail = 0
  let withWarnings = 0
  return {
    addContact: (contact: Contact): void => {
      total++
      if (contact.emailValid) withValidEmail++
      if (contact.issues.includes("bad_date")) withWarnings++
      for (const issue of contact.issues) {
        const entry = issues[issue]
        entry.count++
        if (entry.sample.length < SAMPLE_SIZE) entry.sample.push(contact.id)
      }
    },
    addMalformed: (row: MalformedRow): void => {
      total++
      malformed.count++
      if (malformed.sample.length < SAMPLE_SIZE) malformed.sample.push(row)
    },
    /** Adds the census of the next batch (batches come in id order, so the samples stay the smallest ids). */
    addCensus: (part: ContactCensus): void => {
      total += part.total
      withValidEmail += part.withValidEmail
      withWarnings += part.withWarnings
      for (const issue of Object.keys(issues) as Array<ContactIssue>) {
        const entry = issues[issue]
        entry.count += part.issues[issue].count
        for (const id of part.issues[issue].sample) if (entry.sample.length < SAMPLE_SIZE) entry.sample.push(id)
      }
      malformed.count += part.malformed.count
      for (const row of part.malformed.sample) if (malformed.sample.length < SAMPLE_SIZE) malformed.sample.push(row)
    },
    result: (): ContactCensus => ({ total, withValidEmail, issues, withWarnings, malformed })
  }
}

/** The census with contact rows no batch could read (ids out of range) counted as malformed, total included. */
export const withMalformedContacts = (census: ContactCensus, rows: ReadonlyArray<MalformedRow>): ContactCensus =>
  rows.length === 0
    ? census
    : {
        ...census,
        total: census.total + rows.length,
        malformed: {
          count: census.malformed.count + rows.length,
          sample: [...census.malformed.sample, ...rows].slice(0, SAMPLE_SIZE)
        }
      }
