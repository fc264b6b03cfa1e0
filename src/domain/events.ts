import { Predicate, Schema } from "effect"

/** A `contact_events` row (spec §2.2); metadata stays raw text until it is read. */
export class ContactEventRow extends Schema.Class<ContactEventRow>("ContactEventRow")({
  id: Schema.Int,
  contact_id: Schema.Int,
  event_type: Schema.String,
  metadata: Schema.NullOr(Schema.String),
  created_at: Schema.String
}) {}

/** A `tracking_clicks` row with a contact (spec §2.3). */
export class TrackingClickRow extends Schema.Class<TrackingClickRow>("TrackingClickRow")({
  id: Schema.Int,
  contact_id: Schema.Int,
  clicked_at: Schema.String
}) {}

export const ELIGIBILITY_ANSWERED = "eligibility_answered"

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Metadata that is not a JSON object counts as `{}` (spec §3.5). Plain `JSON.parse` with a record check: a run reads
 * the metadata of millions of rows, and their values stay `unknown` until each reader checks the one it needs.
 */
export const metadataObject = (text: string | null): Readonly<Record<string, unknown>> => {
  if (text === null) return {}
  const parsed = parseJson(text)
  return Predicate.isRecord(parsed) && !Array.isArray(parsed) ? parsed : {}
}

/** Timestamps compare as text after replacing a `T` separator by a space, first 19 characters (spec §3.5). */
export const comparableTimestamp = (timestamp: string): string => timestamp.replace("T", " ").slice(0, 19)

/** The latest `eligibility_answered` event: greatest created_at, ties broken by greatest id. */
export const latestEligibilityAnswer = (events: ReadonlyArray<ContactEventRow>): ContactEventRow | undefined => {
  let latest: ContactEventRow | undefined
  let latestKey = ""
  for (const event of events) {
    if (event.event_type !== ELIGIBILITY_ANSWERED) continue
    const key = comparableTimestamp(event.created_at)
    if (latest === undefined || key > latestKey || (key === latestKey && event.id > latest.id)) {
      latest = event
      latestKey = key
    }
  }
  return latest
}

/** JSON `true` or the string "true" (any case, trimmed). */
export const isTrueFlag = (value: unknown): boolean =>
  value === true || (typeof value === "string" && value.trim().toLowerCase() === "true")

/** Spec §3.5: the latest eligibility answer reports medical conditions. */
export const failedUnderwriting = (events: ReadonlyArray<ContactEventRow>): boolean => {
  const latest = latestEligibilityAnswer(events)
  return latest !== undefined && isTrueFlag(metadataObject(latest.metadata).has_medical_conditions)
}
