import { Option, Schema } from "effect"
import { WindowMetadata, windowMetadata } from "../rules/explanations.js"
import type { ContactExplanation } from "../run/index.js"

const DATE_RULES: Readonly<Record<string, string>> = {
  on_time: "on time",
  catch_up: "late: catch-up date",
  kept: "kept from an earlier run",
  post_window: "first free day after the window",
  spread: "spread over the campaign period",
  followup_tomorrow: "follow-up, tomorrow"
}

const decodeWindow = Schema.decodeUnknownOption(WindowMetadata)

const windowText = (w: WindowMetadata): string =>
  w.kind === "year_round"
    ? `year-round rule ${w.rule_id}`
    : `${w.kind.replace("_", "-")} window ${w.start} to ${w.end} (anchor ${w.anchor}, ${w.days_before} days before ` +
      `+ ${w.buffer}-day buffer, ${w.days_after} days after; rule ${w.rule_id})`

/** The explanation of one contact, for a compliance officer reading a terminal. */
export const renderExplanation = (e: ContactExplanation): string => {
  const c = e.contact
  const lines: Array<string> = [
    `Contact ${c.row.id} as of ${e.asOf} (ruleset ${e.ruleset})`,
    `  email ${JSON.stringify(c.row.email)}: ${c.emailValid ? "valid" : "INVALID: this contact gets no email"}`,
    `  state ${c.state ?? "none"} (ZIP ${JSON.stringify(c.row.zip_code)}, state column ${JSON.stringify(c.row.state)})`,
    `  birth date ${c.birthDate ?? "none"}, effective date ${c.effectiveDate ?? "none"}` +
      (c.failedUnderwriting ? ", failed underwriting" : ""),
    ...(c.issues.length > 0 ? [`  reported as: ${c.issues.join(", ")}`] : []),
    "",
    c.state === undefined
      ? "No state: no birthday, effective-date, AEP or post-window email."
      : `Rules in force in ${c.state} today:`,
    ...e.rules.map((r) =>
      r.kind === "year_round"
        ? `  ${r.id}: emails subject to exclusions are never sent (${r.source})`
        : `  ${r.id}: ${r.daysBefore} days before + ${r.buffer}-day buffer to ${r.daysAfter} days after the ` +
          `${r.useMonthStart ? "1st of the anniversary month" : "anniversary"} (${r.source})`
    ),
    ...(c.state !== undefined && e.rules.length === 0 ? ["  none: this state has no exclusion window"] : []),
    "",
    "Emails considered:"
  ]
  for (const candidate of e.candidates) {
    const head =
      `  ${candidate.emailType} for ${candidate.eventDate}: ideal ${candidate.idealDate}` +
      (candidate.latestDate ? `, latest ${candidate.latestDate}` : "")
    if (candidate.outcome._tag === "Dropped") {
      lines.push(`${head}`, `      not planned: ${candidate.outcome.reason}`)
      continue
    }
    const row = candidate.outcome.row
    const rule = String(row.metadata.date_rule)
    lines.push(
      `${head}, planned ${row.date} (${DATE_RULES[rule] ?? rule})`,
      row.status === "pre-scheduled"
        ? `      → pre-scheduled, priority ${row.priority}`
        : `      → skipped ${row.skipReason}: ${String(row.metadata.reason_text)}`
    )
    const window = decodeWindow(row.metadata.window)
    if (row.status === "skipped" && Option.isSome(window)) lines.push(`      ${windowText(window.value)}`)
  }
  if (e.postWindow.length > 0) {
    lines.push("", "Post-window emails:")
    for (const p of e.postWindow) {
      lines.push(`  after the ${windowText(windowMetadata(p.window))}`)
      lines.push(`      → ${p.date === undefined ? p.outcome : `${p.date}: ${p.outcome}`}`)
    }
  }
  lines.push(
    "",
    "Plan, before load balancing (a run may then move a pre-scheduled email to another acceptable day: later to spread",
    "a day over the cap, or earlier, for an effective-date email, within its smoothing window):"
  )
  if (e.plan.length === 0) lines.push("  nothing")
  for (const r of e.plan) {
    // The day the last run stored for it, when balancing put it elsewhere than planned.
    const stored = e.stored.find(
      (s) => s.email_type === r.emailType && s.status === "pre-scheduled" && r.status === "pre-scheduled"
    )
    const balanced =
      stored !== undefined && stored.scheduled_send_date !== r.date
        ? `  → stored by the last run on ${stored.scheduled_send_date}`
        : ""
    lines.push(
      `  ${r.date}  ${r.emailType.padEnd(16)} ${r.status === "pre-scheduled" ? "pre-scheduled" : `skipped ${r.skipReason}`}` +
        (r.eventDate ? `  (event ${r.eventDate})` : "") +
        balanced
    )
  }
  lines.push(
    "",
    e.holdsUntil === undefined
      ? "This plan stays the same on every later day until the contact's data, its emails, the campaigns or the settings change."
      : `This plan stays the same on every day before ${e.holdsUntil} unless the contact's data, its emails, the campaigns or the settings change; from ${e.holdsUntil} on it may differ.`
  )
  if (e.stored.length > 0) {
    lines.push("", "Already in the database:")
    for (const s of e.stored)
      lines.push(
        `  #${s.id} ${s.scheduled_send_date} ${s.email_type} ${s.status}${s.skip_reason ? ` ${s.skip_reason}` : ""}`
      )
  }
  return lines.join("\n")
}
