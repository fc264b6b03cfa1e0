import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { ContactRow, validateContact } from "../../src/domain/contact.js"
import { addDays, anniversary, daysBetween, toDayNumber } from "../../src/domain/dates.js"
import { isFrequencyExempt } from "../../src/domain/email.js"
import { makeRules } from "../../src/rules/RulesEngine.js"
import { runOnce } from "../../src/run/run.js"
import { resolveSettings } from "../../src/settings/resolve.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { StoredRow } from "../support/run.js"

const dir = useTempDir("simulation")
const START = "2026-11-29"
const DAYS = 400
const CONTACTS = 1000

const Row = StoredRow
type Row = typeof Row.Type
const decodeRows = Schema.decodeUnknown(Schema.Array(Row))

const eventOf = (r: Row) =>
  r.event_year === null
    ? ""
    : `${r.event_year}-${String(r.event_month).padStart(2, "0")}-${String(r.event_day).padStart(2, "0")}`

/** The logical email a row is (spec §5.6). */
const identityOf = (r: Row): string => {
  if (r.email_type.startsWith("followup"))
    return `${r.contact_id}|followup|${JSON.parse(r.metadata ?? "{}").followup?.parent_email_id}`
  if (r.email_type.startsWith("campaign_"))
    return `${r.contact_id}|${r.email_type}|${r.campaign_instance_id}|${eventOf(r)}`
  return `${r.contact_id}|${r.email_type}|${eventOf(r)}`
}

/** Lets the test runner's own messages through between two synchronous nightly runs. */
const breathe = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

const simulate = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const sent: Array<Row & { sentOn: string }> = []
  const decided = new Map<string, string>() // identity → "sent" | skip reason
  for (let day = 0; day < DAYS; day++) {
    const today = addDays(START, day)
    yield* runOnce({ asOf: Option.some(today), dryRun: false, flags: {} })
    const due = yield* sql`SELECT * FROM email_schedules WHERE scheduled_send_date = ${today}
      AND status IN ('pre-scheduled', 'skipped')`.pipe(Effect.flatMap(decodeRows))
    for (const row of due) {
      if (row.status === "pre-scheduled") sent.push({ ...row, sentOn: today })
      decided.set(identityOf(row), row.status === "pre-scheduled" ? "sent" : (row.skip_reason ?? "skipped"))
    }
    yield* sql`UPDATE email_schedules SET status = 'sent', actual_send_datetime = ${`${today} 08:30:00`}
      WHERE status = 'pre-scheduled' AND scheduled_send_date = ${today}`
    yield* breathe
  }
  // Emails still planned after the period (e.g. moved past a window by the daily cap) are not lost.
  const pending = yield* sql`SELECT * FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped')`.pipe(
    Effect.flatMap(decodeRows)
  )
  for (const row of pending) decided.set(identityOf(row), row.status)

  // No email is sent twice.
  const seen = new Map<string, string>()
  for (const row of sent) {
    const identity = identityOf(row)
    assert.isUndefined(seen.get(identity), `${identity} sent on ${seen.get(identity)} and again on ${row.sentOn}`)
    seen.set(identity, row.sentOn)
  }
  assert.isAbove(sent.length, CONTACTS * 2, "the simulation really sends")

  const contacts =
    yield* sql`SELECT id, email, current_carrier, birth_date, effective_date, state, zip_code FROM contacts`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Array(ContactRow))),
      Effect.map((rows) => new Map(rows.map((row) => [row.id, validateContact(row)])))
    )
  const rules = makeRules(
    Either.getOrThrow(resolveSettings({ flags: {}, env: {}, organization: {}, stateBuffers: [] }))
  )

  // None inside a window of its contact (the only type exempt from windows here is check_in, which never runs).
  for (const row of sent) {
    const hit = rules.exclusionAt(contacts.get(row.contact_id)!, row.sentOn)
    assert.isUndefined(hit, `${row.email_type} of contact ${row.contact_id} sent on ${row.sentOn} inside ${hit?.code}`)
  }

  // No frequency-limit violation: at most 3 counted emails in any 30 days, history included.
  const history = yield* sql`SELECT * FROM email_schedules WHERE status = 'sent' AND scheduler_run_id IS NULL`.pipe(
    Effect.flatMap(decodeRows)
  )
  const counted = new Map<number, Array<number>>()
  for (const row of [...history.map((r) => ({ ...r, sentOn: r.scheduled_send_date })), ...sent]) {
    if (isFrequencyExempt(row.email_type)) continue
    const days = counted.get(row.contact_id) ?? []
    days.push(toDayNumber(row.sentOn))
    counted.set(row.contact_id, days)
  }
  for (const [contact, days] of counted) {
    days.sort((a, b) => a - b)
    for (let i = 0; i + 3 < days.length; i++) {
      assert.isAbove(days[i + 3]! - days[i]!, 29, `contact ${contact} got 4 emails within 30 days`)
    }
  }

  // No birthday, effective-date or AEP email is lost: every one due in the simulated period was decided.
  const end = addDays(START, DAYS - 1)
  let expected = 0
  for (const contact of contacts.values()) {
    if (!contact.emailValid || contact.state === undefined) continue
    for (const year of [2026, 2027, 2028]) {
      const events: Array<readonly [string, string, number]> = [["aep", `${year}-09-15`, 0]]
      if (contact.birthDate) events.push(["birthday", anniversary(contact.birthDate, year), 14])
      if (contact.effectiveDate && daysBetween(contact.effectiveDate, START) > 366) {
        events.push(["effective_date", anniversary(contact.effectiveDate, year), 30])
      }
      for (const [type, event, before] of events) {
        // Due when the ideal date and the event both fall inside the simulated period.
        if (addDays(event, -before) < START || event > end || (type === "aep" && event > addDays(end, -30))) continue
        expected++
        const identity = `${contact.id}|${type}|${event}`
        assert.isDefined(decided.get(identity), `${identity} was never sent nor skipped`)
      }
    }
  }
  assert.isAbove(expected, CONTACTS)
})

describe("day-by-day simulation", () => {
  it.live(
    `${DAYS} nightly runs with a sender that sends what is due`,
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "simulation.sqlite", CONTACTS, 11, START)
        yield* simulate.pipe(Effect.provide(runnableFile(path)))
      }),
    { timeout: 600_000 }
  )
})
