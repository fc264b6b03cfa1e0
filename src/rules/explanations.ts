import { Schema } from "effect"
import type { IsoDate } from "../domain/dates.js"
import type { ExclusionHit } from "./windows.js"

/** The `window` object of the explanation metadata (spec §14.2); year-round rules have only the first three keys. */
export const WindowMetadata = Schema.Struct({
  rule_id: Schema.String,
  state: Schema.String,
  kind: Schema.String,
  anchor: Schema.optional(Schema.String),
  start: Schema.optional(Schema.String),
  end: Schema.optional(Schema.String),
  days_before: Schema.optional(Schema.Int),
  days_after: Schema.optional(Schema.Int),
  buffer: Schema.optional(Schema.Int)
})
export type WindowMetadata = typeof WindowMetadata.Type

export const windowMetadata = (hit: ExclusionHit): WindowMetadata =>
  hit.kind === "year_round"
    ? { rule_id: hit.rule.id, state: hit.rule.state, kind: hit.kind }
    : {
        rule_id: hit.rule.id,
        state: hit.rule.state,
        kind: hit.kind,
        anchor: hit.anchor,
        start: hit.start,
        end: hit.end,
        days_before: hit.rule.daysBefore,
        days_after: hit.rule.daysAfter,
        buffer: hit.buffer
      }

/** The human text of a window skip (spec §14.1). */
export const windowReasonText = (hit: ExclusionHit, date: IsoDate): string =>
  hit.kind === "year_round"
    ? `${hit.rule.state} allows Medigap changes all year; emails subject to exclusions are not sent (rule ${hit.rule.id}).`
    : `${date} is inside the ${hit.rule.state} ${hit.kind === "birthday" ? "birthday" : "effective-date"} window ${hit.start} to ${hit.end} (anchor ${hit.anchor}, rule ${hit.rule.id}).`

export const UNDERWRITING_GLOBAL_TEXT = "Contact failed underwriting; only AEP emails are sent (organization setting)."

export const underwritingCampaignText = (typeName: string): string =>
  `Contact failed underwriting; campaign type ${typeName} skips such contacts.`
