import { Effect } from "effect"
import type { Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import type { DatabaseError } from "../db/errors.js"
import { type ContactIssue, validateContact } from "../domain/contact.js"

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
  /** Rows that could not be decoded at all; reported and skipped. */
  readonly malformed: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
}

/**
 * Reads every contact in keyset pages (ascending id, spec §3.1), validates it and counts the findings. Ids arrive in
 * ascending order, so the first 20 ids of each reason are its 20 smallest.
 */
export const takeContactCensus = (
  db: Database,
  pageSize: number,
  onProgress?: (read: number) => void
): Effect.Effect<ContactCensus, DatabaseError> =>
  Effect.gen(function* () {
    const fresh = () => ({ count: 0, sample: [] as number[] })
    const counts: Record<ContactIssue, { count: number; sample: Array<number> }> = {
      invalid_email: fresh(),
      no_state: fresh(),
      bad_date: fresh(),
      state_differs_from_zip: fresh()
    }
    let total = 0
    let withValidEmail = 0
    let withWarnings = 0
    let malformedCount = 0
    const malformedSample: Array<MalformedRow> = []
    let after = 0
    for (;;) {
      const page = yield* db.contactsPage(after, pageSize)
      if (page.lastId === undefined) break
      for (const row of page.malformed) {
        malformedCount++
        if (malformedSample.length < SAMPLE_SIZE) malformedSample.push(row)
      }
      for (const row of page.contacts) {
        const contact = validateContact(row)
        if (contact.emailValid) withValidEmail++
        if (contact.issues.includes("bad_date")) withWarnings++
        for (const issue of contact.issues) {
          const entry = counts[issue]
          entry.count++
          if (entry.sample.length < SAMPLE_SIZE) entry.sample.push(contact.id)
        }
      }
      total += page.contacts.length + page.malformed.length
      onProgress?.(total)
      after = page.lastId
    }
    return {
      total,
      withValidEmail,
      issues: counts,
      withWarnings,
      malformed: { count: malformedCount, sample: malformedSample }
    }
  })
