/** The checksums a run records in its checkpoint (spec §12.5): of the contacts read, of the plan, of the settings. */
import { createHash, type Hash } from "node:crypto"
import type { ContactRow } from "../domain/contact.js"
import type { PlanRecord } from "../plan/index.js"

/** Lines are hashed in pieces of about this many characters: one `update` per line cost more than the hashing. */
const PIECE = 1 << 16

/**
 * SHA-256 of lines joined by `\n` (spec §12.5), fed a piece of lines at a time so millions of lines never sit in
 * memory. The digest depends only on the bytes, not on how they were split between updates.
 */
export const lineHash = () => {
  const hash: Hash = createHash("sha256")
  let first = true
  let piece = ""
  return {
    add: (line: string) => {
      piece += first ? line : `\n${line}`
      first = false
      if (piece.length >= PIECE) {
        hash.update(piece)
        piece = ""
      }
    },
    hex: () => hash.update(piece).digest("hex")
  }
}

/** A value as the checksum lines write it: NULL as empty, numbers in their shortest decimal form. */
const field = (value: string | number | null | undefined): string | number => value ?? ""

/** `id|email|zip_code|state|birth_date|effective_date|current_carrier` with raw values, NULL as empty. */
export const contactLine = (row: ContactRow): string =>
  `${row.id}|${field(row.email)}|${field(row.zip_code)}|${field(row.state)}|${field(row.birth_date)}|${field(row.effective_date)}|${field(row.current_carrier)}`

/** `contact_id|email_type|scheduled_send_date|scheduled_send_time|status|skip_reason|priority|campaign_instance_id|event_date`. */
export type PlanLineFields = Omit<PlanRecord, "emailTemplate" | "smsTemplate" | "metadata">

/** `String(value).padStart(2, "0")`. */
const twoDigits = (value: number | null): string => {
  const text = `${value}`
  return text.length < 2 ? `0${text}` : text
}

export const planLine = (r: PlanLineFields): string =>
  `${r.contactId}|${r.emailType}|${r.date}|${r.time}|${r.status}|${field(r.skipReason)}|${r.priority}|${field(r.campaignInstanceId)}|${
    r.eventYear === null ? "" : `${r.eventYear}-${twoDigits(r.eventMonth)}-${twoDigits(r.eventDay)}`
  }`

/** Plan rows sorted by (contact_id, email_type, scheduled_send_date), byte order for text. */
export const planOrder = (a: PlanRecord, b: PlanRecord): number =>
  a.contactId - b.contactId ||
  (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")
