/** The checksums a run records in its checkpoint (spec §12.5): of the contacts read, of the plan, of the settings. */
import { createHash, type Hash } from "node:crypto"
import type { ContactRow } from "../domain/contact.js"
import type { PlanRecord } from "../plan/index.js"

/**
 * SHA-256 of lines joined by `\n` (spec §12.5), fed one line at a time so millions of lines never sit in memory.
 */
export const lineHash = () => {
  const hash: Hash = createHash("sha256")
  let first = true
  return {
    add: (line: string) => {
      hash.update(first ? line : `\n${line}`)
      first = false
    },
    hex: () => hash.digest("hex")
  }
}

const field = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? "" : String(value)

/** `id|email|zip_code|state|birth_date|effective_date|current_carrier` with raw values, NULL as empty. */
export const contactLine = (row: ContactRow): string =>
  [row.id, row.email, row.zip_code, row.state, row.birth_date, row.effective_date, row.current_carrier]
    .map(field)
    .join("|")

/** `contact_id|email_type|scheduled_send_date|scheduled_send_time|status|skip_reason|priority|campaign_instance_id|event_date`. */
export type PlanLineFields = Omit<PlanRecord, "emailTemplate" | "smsTemplate" | "metadata">

export const planLine = (r: PlanLineFields): string =>
  [
    r.contactId,
    r.emailType,
    r.date,
    r.time,
    r.status,
    r.skipReason,
    r.priority,
    r.campaignInstanceId,
    r.eventYear === null
      ? null
      : `${r.eventYear}-${String(r.eventMonth).padStart(2, "0")}-${String(r.eventDay).padStart(2, "0")}`
  ]
    .map(field)
    .join("|")

/** Plan rows sorted by (contact_id, email_type, scheduled_send_date), byte order for text. */
export const planOrder = (a: PlanRecord, b: PlanRecord): number =>
  a.contactId - b.contactId ||
  (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")
