import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Database } from "../../src/db/Database.js"
import { validateContact } from "../../src/domain/contact.js"
import { makeCensus } from "../../src/plan/contact-census.js"
import { DatabaseTest } from "../support/layers.js"

const exec = (statements: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(
      statements.split(";").filter((s) => s.trim() !== ""),
      (statement) => sql.unsafe(statement),
      { discard: true }
    )
  )

describe("Database: keyset pages and row decoding", () => {
  it.effect("pages contacts by ascending id and reports a malformed row without losing the others", () =>
    Effect.gen(function* () {
      yield* exec(`
        INSERT INTO contacts (id, email, state, birth_date) VALUES (1, 'a@x.io', 'TX', '1950-01-01'), (3, 'c@x.io', 'CA', NULL),
          (4, 'd@x.io', 'NY', '1951-02-03'), (7, 'g@x.io', 'WA', NULL);
        INSERT INTO contacts (id, email, zip_code) VALUES (5, 'e@x.io', x'3735323031')`)
      const db = yield* Database
      const first = yield* db.contactsPage(0, 2)
      assert.deepStrictEqual(
        first.contacts.map((c) => c.id),
        [1, 3]
      )
      assert.strictEqual(first.lastId, 3)
      const second = yield* db.contactsPage(3, 2)
      assert.deepStrictEqual(
        second.contacts.map((c) => c.id),
        [4]
      )
      assert.strictEqual(second.lastId, 5, "the malformed row still advances the key")
      assert.strictEqual(second.malformed.length, 1)
      assert.strictEqual(second.malformed[0]?.table, "contacts")
      assert.strictEqual(second.malformed[0]?.id, 5)
      assert.match(second.malformed[0]?.problem ?? "", /zip_code/)
      const third = yield* db.contactsPage(5, 2)
      assert.deepStrictEqual(
        third.contacts.map((c) => c.id),
        [7]
      )
      assert.strictEqual((yield* db.contactsPage(7, 2)).lastId, undefined)
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("decodes every related table and reports each kind of bad value with its column", () =>
    Effect.gen(function* () {
      yield* exec(`
        INSERT INTO contacts (id, email) VALUES (10, 'a@x.io'), (11, 'b@x.io'), (12, 'c@x.io');
        INSERT INTO email_schedules (id, contact_id, email_type, scheduled_send_date, status, priority)
          VALUES (1, 10, 'birthday', '2026-06-01', 'sent', 10), (2, 11, 'aep', '2026-09-15', 'pre-scheduled', 'high'),
                 (3, 99, 'aep', '2026-09-15', 'pre-scheduled', 30);
        INSERT INTO contact_events (id, contact_id, event_type, metadata, created_at)
          VALUES (1, 10, 'eligibility_answered', '{}', '2026-05-01 10:00:00'), (2, 11, 'eligibility_answered', '{}', x'00');
        INSERT INTO tracking_clicks (id, contact_id, clicked_at) VALUES (1, 10, '2026-05-02 10:00:00'), (2, NULL, '2026-05-02'),
          (3, 12, x'00');
        INSERT INTO campaign_types (id, name, active, days_before_event) VALUES (1, 'rate_increase', 1, 14),
          (2, 'broken', 2, 0), (3, 'worse', 1, 'two weeks');
        INSERT INTO campaign_instances (id, campaign_type, instance_name) VALUES (1, 'rate_increase', 'Spring'),
          (2, 'rate_increase', x'01');
        INSERT INTO contact_campaigns (id, contact_id, campaign_instance_id, trigger_date, status)
          VALUES (1, 10, 1, '2026-07-01', 'pending'), (2, 11, 1, x'02', 'pending');
        INSERT INTO organization_state_buffers (state, days) VALUES ('OK', 0), ('CA', 'lots')`)
      const db = yield* Database
      const range = { firstId: 10, lastId: 12 }

      const emails = yield* db.emailSchedulesOf(range)
      assert.deepStrictEqual(
        emails.rows.map((r) => r.id),
        [1],
        "row 3 belongs to contact 99, outside the range"
      )
      assert.deepStrictEqual(
        emails.malformed.map((m) => [m.table, m.id]),
        [["email_schedules", 2]]
      )
      assert.match(emails.malformed[0]!.problem, /priority/)

      const events = yield* db.contactEventsOf(range)
      assert.deepStrictEqual([events.rows.length, events.malformed[0]?.id], [1, 2])
      assert.match(events.malformed[0]!.problem, /created_at/)

      const clicks = yield* db.trackingClicksOf(range)
      assert.deepStrictEqual(
        clicks.rows.map((r) => r.id),
        [1],
        "a NULL contact_id is never in a range"
      )
      assert.match(clicks.malformed[0]!.problem, /clicked_at/)

      const types = yield* db.campaignTypes
      assert.deepStrictEqual(
        types.rows.map((t) => [t.name, t.active, t.days_before_event]),
        [["rate_increase", true, 14]]
      )
      assert.deepStrictEqual(
        types.malformed.map((m) => m.id),
        [2, 3]
      )
      assert.match(types.malformed[0]!.problem, /active/)
      assert.match(types.malformed[1]!.problem, /days_before_event/)

      const instances = yield* db.campaignInstances
      assert.deepStrictEqual([instances.rows.length, instances.malformed[0]?.id], [1, 2])

      const enrollments = yield* db.enrollmentsOf(range)
      assert.deepStrictEqual([enrollments.rows.length, enrollments.malformed[0]?.id], [1, 2])
      assert.match(enrollments.malformed[0]!.problem, /trigger_date/)

      const buffers = yield* db.stateBuffers
      assert.deepStrictEqual(
        buffers.rows.map((b) => [b.state, b.days]),
        [["OK", 0]]
      )
      assert.deepStrictEqual(
        buffers.malformed.map((m) => m.id),
        ["CA"]
      )
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("picks the active organization with the lowest id", () =>
    Effect.gen(function* () {
      const db = yield* Database
      assert.isTrue(Option.isNone((yield* db.organization).row))
      yield* exec(
        `INSERT INTO organizations (id, name, active) VALUES (1, 'Old', 0), (2, 'Current', 1), (3, 'Later', 1)`
      )
      const org = yield* db.organization
      assert.strictEqual(Option.getOrThrow(org.row).name, "Current")
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("counts contacts by reason with the smallest ids as samples (spec §12.5, E30)", () =>
    Effect.gen(function* () {
      yield* exec(`
        INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES
          (71, 'a@x.io', '99999', 'XX', NULL), (72, 'b@x.io', '75201', 'OK', '1950-08-20'),
          (73, 'not-an-email', NULL, 'TX', NULL), (74, 'd@x.io', 'ABCDE', NULL, '1950-13-01');
        INSERT INTO contacts (id, email, birth_date) VALUES (75, 'e@x.io', x'00')`)
      const counter = makeCensus()
      const page = yield* (yield* Database).contactsPage(0, 10)
      for (const row of page.contacts) counter.addContact(validateContact(row))
      for (const row of page.malformed) counter.addMalformed(row)
      const census = counter.result()
      assert.strictEqual(census.total, 5)
      assert.strictEqual(census.withValidEmail, 3)
      assert.deepStrictEqual(census.issues, {
        invalid_email: { count: 1, sample: [73] },
        no_state: { count: 2, sample: [71, 74] },
        bad_date: { count: 1, sample: [74] },
        state_differs_from_zip: { count: 1, sample: [72] }
      })
      assert.strictEqual(census.withWarnings, 1)
      assert.strictEqual(census.malformed.count, 1)
      assert.strictEqual(census.malformed.sample[0]?.id, 75)
    }).pipe(Effect.provide(DatabaseTest))
  )
})
