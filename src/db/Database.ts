import { SqlClient } from "@effect/sql"
import { Effect, Option, Predicate, Schema } from "effect"
import { CampaignInstanceRow, CampaignTypeRow, EnrollmentRow } from "../domain/campaign.js"
import type { ContactRow } from "../domain/contact.js"
import type { EmailScheduleRow } from "../domain/email.js"
import { ContactEventRow, TrackingClickRow } from "../domain/events.js"
import { sortInPlace } from "../domain/sort-in-place.js"
import { type Decoded, decodeEach, MalformedRow } from "./decode.js"
import { DatabaseError } from "./errors.js"
import { CONTACT_COLUMNS, decodeContactValues, decodeEmailScheduleValues, EMAIL_SCHEDULE_COLUMNS } from "./fast-rows.js"
import { tableExists } from "./introspect.js"
import { reuseInputsOf } from "./plan-reuse-records.js"

const ID_CHUNK = 500

const byContactThenId = (a: EmailScheduleRow, b: EmailScheduleRow): number => a.contact_id - b.contact_id || a.id - b.id

/**
 * Contact ids a run can page through exactly: 1 … 2^53 − 1. JavaScript numbers round larger ids (keyset paging
 * would read the same page forever), and ids ≤ 0 are not ids of spec §2.1; both are reported as malformed rows.
 */
export const MAX_CONTACT_ID = Number.MAX_SAFE_INTEGER
const IN_RANGE = `id >= 1 AND id <= ${MAX_CONTACT_ID}`

const chunksOf = <A>(values: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size))
  return chunks
}

/** A stored row's key and status as read, whatever the column types (String() of anything else). */
export interface StoredKey {
  readonly id: number
  readonly contactId: number
  readonly emailType: string
  readonly date: string
  readonly status: string
  /** The campaign instance the row belongs to, when it is a readable number. */
  readonly campaignInstanceId: number | null
}

const storedKeyRows = (rows: ReadonlyArray<ReadonlyArray<unknown>>): ReadonlyArray<StoredKey> => {
  const keys: Array<StoredKey> = []
  for (const [id, contactId, emailType, date, status, campaignInstanceId] of rows) {
    if (typeof id !== "number" || typeof contactId !== "number") continue
    keys.push({
      id,
      contactId,
      emailType: String(emailType),
      date: String(date),
      status: String(status),
      campaignInstanceId: typeof campaignInstanceId === "number" ? campaignInstanceId : null
    })
  }
  return keys
}

/** One keyset page of contacts (spec §3.1: ascending id). */
export interface ContactPage {
  readonly contacts: ReadonlyArray<ContactRow>
  readonly malformed: ReadonlyArray<MalformedRow>
  /** The greatest id read, malformed rows included; undefined when the page is empty. */
  readonly lastId: number | undefined
}

/** Ids of a page of contacts: its related rows are read by id range, then kept only for ids of the page. */
export interface ContactIdRange {
  readonly firstId: number
  readonly lastId: number
}

/** Contacts left out of a range's read, as one JSON array SQLite reads itself (a parameter per id would cost more). */
const exceptClause = (except: ReadonlyArray<number>): string =>
  except.length === 0 ? "" : " AND contact_id NOT IN (SELECT value FROM json_each(?))"

const rangeParameters = (range: ContactIdRange, except: ReadonlyArray<number>): Array<number | string> =>
  except.length === 0 ? [range.firstId, range.lastId] : [range.firstId, range.lastId, JSON.stringify(except)]

export class StateBufferRow extends Schema.Class<StateBufferRow>("StateBufferRow")({
  state: Schema.String,
  days: Schema.Int
}) {}

const OrganizationRow = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const decodeEvents = decodeEach("contact_events", ContactEventRow)
const decodeClicks = decodeEach("tracking_clicks", TrackingClickRow)
const decodeEnrollments = decodeEach("contact_campaigns", EnrollmentRow)
const decodeCampaignTypes = decodeEach("campaign_types", CampaignTypeRow)
const decodeCampaignInstances = decodeEach("campaign_instances", CampaignInstanceRow)
const decodeStateBuffers = decodeEach("organization_state_buffers", StateBufferRow, "state")
const decodeOrganizations = decodeEach("organizations", OrganizationRow)

const NONE: Decoded<never> = { rows: [], malformed: [] }

const isActive = (row: Readonly<Record<string, unknown>>): boolean =>
  !Predicate.hasProperty(row, "active") || row.active === 1 || row.active === "1"

/**
 * Reads (and, in later issues, writes) the organization's database. Needs only a `SqlClient`, so a host application
 * can provide its own. Every row is decoded with Schema; a row that does not decode is returned as `MalformedRow`.
 */
export class Database extends Effect.Service<Database>()("email-scheduler/Database", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const failAs =
      (operation: string) =>
      <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.mapError(effect, (cause) => new DatabaseError({ operation, cause }))

    const contactColumns = CONTACT_COLUMNS.join(", ")
    const contactsPage = Effect.fn("Database.contactsPage")(function* (afterId: number, limit: number) {
      const raw = yield* sql
        .unsafe(`SELECT ${contactColumns} FROM contacts WHERE id > ? AND ${IN_RANGE} ORDER BY id LIMIT ?`, [
          afterId,
          limit
        ])
        .values.pipe(failAs("read contacts"))
      const { rows, malformed } = decodeContactValues(raw)
      const last = raw.at(-1)?.[0]
      return { contacts: rows, malformed, lastId: typeof last === "number" ? last : undefined } satisfies ContactPage
    })

    /** The contacts of an id range, as a write batch re-reads the page planned earlier (both ends inclusive). */
    const contactsBetween = Effect.fn("Database.contactsBetween")(function* (range: ContactIdRange) {
      const raw = yield* sql
        .unsafe(`SELECT ${contactColumns} FROM contacts WHERE id BETWEEN ? AND ? ORDER BY id`, [
          range.firstId,
          range.lastId
        ])
        .values.pipe(failAs("read contacts"))
      return decodeContactValues(raw)
    })

    const contactById = Effect.fn("Database.contactById")(function* (id: number) {
      const raw = yield* sql
        .unsafe(`SELECT ${contactColumns} FROM contacts WHERE id = ?`, [id])
        .values.pipe(failAs("read contact"))
      const { rows, malformed } = decodeContactValues(raw)
      return { contact: Option.fromNullable(rows[0]), malformed: Option.fromNullable(malformed[0]) }
    })

    /** Contact rows whose id no run can handle (see MAX_CONTACT_ID), as malformed rows naming the exact id. */
    const contactsOutOfRange = sql
      .unsafe(
        `SELECT CAST(id AS TEXT) FROM contacts WHERE typeof(id) <> 'integer' OR id < 1 OR id > ${MAX_CONTACT_ID}
          ORDER BY id`
      )
      .values.pipe(
        failAs("read contact ids"),
        Effect.map((rows) =>
          rows.map(
            ([id]) =>
              new MalformedRow({
                table: "contacts",
                id: String(id),
                problem: `id: must be a whole number from 1 to ${MAX_CONTACT_ID} (got ${String(id)})`
              })
          )
        )
      )

    /** Ids and emails only: a cheap first pass to count contacts with a valid email (N of spec §10.2). */
    const emailsPage = Effect.fn("Database.emailsPage")(function* (afterId: number, limit: number) {
      const raw = yield* sql
        .unsafe(`SELECT id, email FROM contacts WHERE id > ? AND ${IN_RANGE} ORDER BY id LIMIT ?`, [afterId, limit])
        .values.pipe(failAs("read contact emails"))
      const ids: Array<number> = []
      const emails: Array<string | null> = []
      for (const [id, email] of raw) {
        if (typeof id === "number") ids.push(id)
        emails.push(typeof email === "string" ? email : null)
      }
      return { ids, emails, lastId: ids.at(-1) }
    })

    /** Only when the table exists: settings are read before migrating, and a predecessor file may lack the table. */
    const ifTable = <A>(table: string, read: Effect.Effect<Decoded<A>, DatabaseError>) =>
      tableExists(table).pipe(
        failAs(`look up table ${table}`),
        Effect.flatMap((exists) => (exists ? read : Effect.succeed(NONE)))
      )

    /** Spec §2.8: the row with the lowest id among rows with active = 1 (a missing `active` column counts as 1). */
    const organization = ifTable(
      "organizations",
      sql`SELECT * FROM organizations ORDER BY id`.pipe(failAs("read organizations"), Effect.map(decodeOrganizations))
    ).pipe(Effect.map(({ rows, malformed }) => ({ row: Option.fromNullable(rows.find(isActive)), malformed })))

    const stateBuffers = ifTable(
      "organization_state_buffers",
      sql`SELECT state, days FROM organization_state_buffers ORDER BY state`.pipe(
        failAs("read organization_state_buffers"),
        Effect.map(decodeStateBuffers)
      )
    )

    const campaignTypes = sql`SELECT id, name, respect_exclusion_windows, enable_followups, days_before_event,
        target_all_contacts, priority, active, spread_evenly, skip_failed_underwriting
      FROM campaign_types ORDER BY id`.pipe(failAs("read campaign_types"), Effect.map(decodeCampaignTypes))

    const campaignInstances = sql`SELECT id, campaign_type, instance_name, email_template, sms_template,
        active_start_date, active_end_date, spread_start_date, spread_end_date, target_states, target_carriers
      FROM campaign_instances ORDER BY id`.pipe(failAs("read campaign_instances"), Effect.map(decodeCampaignInstances))

    /**
     * Rows related to a page of contacts, read by the page's id range in (contact_id, id) order, but for the contacts
     * `except`.
     */
    const ofContacts =
      <A>(table: string, decode: (rows: ReadonlyArray<unknown>) => Decoded<A>, columns: string) =>
      (range: ContactIdRange, except: ReadonlyArray<number> = []) =>
        sql
          .unsafe(
            `SELECT ${columns} FROM ${table} WHERE contact_id BETWEEN ? AND ?${exceptClause(except)}
              ORDER BY contact_id, id`,
            rangeParameters(range, except)
          )
          .pipe(failAs(`read ${table}`), Effect.map(decode), Effect.withSpan(`Database.${table}Of`))

    const enrollmentsOf = ofContacts(
      "contact_campaigns",
      decodeEnrollments,
      "id, contact_id, campaign_instance_id, trigger_date, status"
    )
    /**
     * The hottest read of a run (millions of rows): arrays of values, checked cheaply (fast-rows.ts), each contact's
     * rows in id order. SQLite returns them in the unique key's order (contact, type, date), and a contact's few rows
     * are put in id order here: ordered by id in SQL, every row's columns went through a temporary b-tree (reading a
     * 1 M organization's 4.3 M rows a page of 1,000 contacts at a time took 8.0–9.5 s instead of 7.2 s).
     */
    const emailSchedulesOf = (range: ContactIdRange, except: ReadonlyArray<number> = []) =>
      sql
        .unsafe(
          `SELECT ${EMAIL_SCHEDULE_COLUMNS.join(", ")} FROM email_schedules WHERE contact_id BETWEEN ? AND ?${exceptClause(
            except
          )}
            ORDER BY contact_id`,
          rangeParameters(range, except)
        )
        .values.pipe(
          failAs("read email_schedules"),
          Effect.map((values) => {
            const decoded = decodeEmailScheduleValues(values)
            return { ...decoded, rows: sortInPlace([...decoded.rows], byContactThenId) }
          }),
          Effect.withSpan("Database.email_schedulesOf")
        )
    const contactEventsOf = ofContacts(
      "contact_events",
      decodeEvents,
      "id, contact_id, event_type, metadata, created_at"
    )
    const trackingClicksOf = ofContacts("tracking_clicks", decodeClicks, "id, contact_id, clicked_at")

    /** Contact ids of a range, as the write pass checks which planned contacts still exist. */
    const contactIdsBetween = (range: ContactIdRange) =>
      sql.unsafe("SELECT id FROM contacts WHERE id BETWEEN ? AND ?", [range.firstId, range.lastId]).values.pipe(
        failAs("read contact ids"),
        Effect.map((rows) => new Set(rows.map((row) => row[0]).filter((id) => typeof id === "number")))
      )

    /**
     * The keys and statuses of a range's email rows, as the write pass re-reads them inside its transaction (spec
     * §12.2): raw values, because a row that does not decode still holds its key.
     */
    const storedKeysOf = (range: ContactIdRange) =>
      sql
        .unsafe(
          `SELECT id, contact_id, email_type, scheduled_send_date, status, campaign_instance_id FROM email_schedules
            WHERE contact_id BETWEEN ? AND ? ORDER BY contact_id, id`,
          [range.firstId, range.lastId]
        )
        .values.pipe(failAs("read email_schedules keys"), Effect.map(storedKeyRows))

    /** Email rows by id (the few a write pass must compare column by column). */
    const emailSchedulesByIds = (ids: ReadonlyArray<number>) =>
      Effect.forEach(chunksOf(ids, ID_CHUNK), (chunk) =>
        sql
          .unsafe(
            `SELECT ${EMAIL_SCHEDULE_COLUMNS.join(", ")} FROM email_schedules WHERE id IN (${chunk.map(() => "?").join(", ")})`,
            chunk
          )
          .values.pipe(failAs("read email_schedules"), Effect.map(decodeEmailScheduleValues))
      ).pipe(Effect.map((parts) => parts.flatMap((part) => part.rows)))

    const emailStatusCounts =
      sql`SELECT status, count(*) AS n FROM email_schedules GROUP BY status ORDER BY status`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ status: Schema.String, n: Schema.Int })))),
        failAs("count email_schedules")
      )

    return {
      contactsPage,
      contactsBetween,
      contactsOutOfRange,
      contactById,
      emailsPage,
      organization,
      stateBuffers,
      campaignTypes,
      campaignInstances,
      enrollmentsOf,
      emailSchedulesOf,
      contactEventsOf,
      trackingClicksOf,
      emailStatusCounts,
      contactIdsBetween,
      storedKeysOf,
      emailSchedulesByIds,
      /** The plan reuse records of a range and its changed contacts (db/plan-reuse-records.ts). */
      planReuseOf: (range: ContactIdRange) =>
        reuseInputsOf(range).pipe(Effect.provideService(SqlClient.SqlClient, sql)),
      /** Runs the effect in one transaction (a nested call becomes a savepoint). */
      withTransaction: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        sql.withTransaction(effect).pipe(
          Effect.catchTag("SqlError", (cause) => Effect.fail(new DatabaseError({ operation: "transaction", cause }))),
          // @effect/sql turns a failed COMMIT (a full disk at the end of a batch) into a defect: it is an error here.
          Effect.catchSomeDefect((defect) =>
            Predicate.isTagged(defect, "SqlError")
              ? Option.some(Effect.fail(new DatabaseError({ operation: "commit a transaction", cause: defect })))
              : Option.none()
          )
        )
    } as const
  })
}) {}
