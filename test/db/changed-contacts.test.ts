import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile, sqliteFile } from "../../src/app/sqlite.js"
import { CHANGED_CONTACTS_TABLE } from "../../src/db/change-tracking.js"
import { runMigrations } from "../../src/db/migrations.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { buildPredecessorDatabase } from "../support/predecessor.js"

const dir = useTempDir("changed-contacts")
const AS_OF = "2026-11-29"

const run = (path: string, dryRun = false) =>
  runOnce({ asOf: Option.some(AS_OF), dryRun, flags: { batch_size: "500" } }).pipe(Effect.provide(runnableFile(path)))

/** Another application's connection: a plain better-sqlite3 handle, as the sender or a CRM would hold. */
const write = (path: string, ...statements: ReadonlyArray<string>) => {
  const db = new BetterSqlite3(path)
  try {
    for (const statement of statements) db.prepare(statement).run()
  } finally {
    db.close()
  }
}

/** The raw rows of a query on a read-only connection, closed after. */
const rowsOf = (path: string, query: string): Array<ReadonlyArray<unknown>> => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return db
      .prepare(query)
      .raw()
      .all()
      .filter((row): row is ReadonlyArray<unknown> => Array.isArray(row))
  } finally {
    db.close()
  }
}

/** The first value of a query's first row. */
const oneValue = (path: string, query: string): unknown => rowsOf(path, query)[0]?.[0]

/** contact id → the counter's value at its latest recorded change. */
const changed = (path: string): Map<number, number> =>
  new Map(
    rowsOf(path, `SELECT contact_id, version FROM ${CHANGED_CONTACTS_TABLE}`).map(([id, v]) => [Number(id), Number(v)])
  )

const counter = (path: string): number =>
  Number(oneValue(path, "SELECT version FROM email_scheduler_changes WHERE id = 1"))

const idsOf = (path: string) => [...changed(path).keys()].sort((a, b) => a - b)

/** The email rows' ids with their contacts. */
const rowContacts = (path: string): Map<number, number> =>
  new Map(
    rowsOf(path, "SELECT id, contact_id FROM email_schedules").map(([id, contact]) => [Number(id), Number(contact)])
  )

/** Enrollment id → `contact_id|status`. */
const enrollments = (path: string): Map<number, string> =>
  new Map(
    rowsOf(path, "SELECT id, contact_id, status FROM contact_campaigns").map(([id, contact, status]) => [
      Number(id),
      `${contact}|${status}`
    ])
  )

/** A run, then the contacts whose plan it changed by deleting their rows or their enrollments' status (sorted). */
const runDeleting = (path: string, dryRun = false) =>
  Effect.suspend(() => {
    const before = rowContacts(path)
    const statuses = enrollments(path)
    return Effect.map(run(path, dryRun), () => {
      const contacts = new Set(contactsOfDeleted(before, path))
      for (const [id, now] of enrollments(path)) {
        if (statuses.get(id) !== now) contacts.add(Number(now.split("|")[0]))
      }
      return [...contacts].sort((a, b) => a - b)
    })
  })

/** Starts a test from no recorded change (the table has no trigger of its own). */
const forgetAll = (path: string) => write(path, `DELETE FROM ${CHANGED_CONTACTS_TABLE}`)

/** The contacts of the rows that were in `before` and are gone from `path`. */
const contactsOfDeleted = (before: Map<number, number>, path: string): Array<number> => {
  const after = rowContacts(path)
  const contacts = new Set<number>()
  for (const [id, contact] of before) if (!after.has(id)) contacts.add(contact)
  return [...contacts].sort((a, b) => a - b)
}

describe("the contacts whose plan input someone else changed (issue 11, plan reuse)", () => {
  it.effect("each kind of change records its contact, at the counter's value after it", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "kinds.sqlite", 300, 3, AS_OF)
      const deletedFor = yield* runDeleting(path)
      assert.deepStrictEqual(
        idsOf(path),
        deletedFor,
        "a completed run leaves only the contacts whose rows or enrollments it changed"
      )
      forgetAll(path)

      write(path, "UPDATE contacts SET birth_date = '1951-12-24' WHERE id = 11")
      assert.deepStrictEqual([...changed(path)], [[11, counter(path)]])
      write(
        path,
        "INSERT INTO contact_events (contact_id, event_type, metadata, created_at) VALUES (12, 'eligibility_answered', '{}', '2026-11-28 10:00:00')",
        "INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES (13, '2026-11-28 10:00:00')",
        "UPDATE contact_campaigns SET status = 'skipped' WHERE id = (SELECT min(id) FROM contact_campaigns)",
        `UPDATE email_schedules SET status = 'sent' WHERE id = (SELECT min(id) FROM email_schedules
          WHERE status = 'pre-scheduled' AND contact_id = 14)`,
        `UPDATE email_schedules SET metadata = '{}' WHERE id = (SELECT min(id) FROM email_schedules
          WHERE status = 'pre-scheduled' AND contact_id = 15)`,
        "DELETE FROM email_schedules WHERE contact_id = 16"
      )
      const enrolled = oneValue(path, "SELECT contact_id FROM contact_campaigns ORDER BY id LIMIT 1")
      assert.deepStrictEqual(
        idsOf(path),
        [11, 12, 13, 14, 15, 16, Number(enrolled)].sort((a, b) => a - b)
      )

      // A change that feeds every plan (a campaign, the settings) counts, and names no contact.
      const before = counter(path)
      write(
        path,
        "UPDATE campaign_instances SET active_end_date = active_end_date WHERE id = (SELECT min(id) FROM campaign_instances)"
      )
      assert.isAbove(counter(path), before)
      assert.deepStrictEqual(idsOf(path).length, 7)

      // A row moved from one contact to another concerns both; a latest change replaces the recorded value.
      write(path, "UPDATE contact_events SET contact_id = 20 WHERE contact_id = 12")
      assert.includeMembers(idsOf(path), [12, 20])
      assert.strictEqual(changed(path).get(12), counter(path))
      assert.strictEqual(changed(path).get(20), counter(path))
    })
  )

  it.effect("a row someone else writes as the scheduler writes its own is counted and records its contact", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "as-scheduler.sqlite", 100, 3, AS_OF)
      yield* run(path)
      forgetAll(path)
      const before = counter(path)
      write(
        path,
        `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, scheduled_send_time, status, priority,
          scheduler_run_id, metadata, created_at, updated_at)
          VALUES (21, 'birthday', '2027-06-01', '08:30:00', 'pre-scheduled', 10, 'run_injected', '{}', '', '')`,
        `UPDATE email_schedules SET scheduler_run_id = 'run_other', scheduled_send_date = '2027-07-01'
          WHERE id = (SELECT min(id) FROM email_schedules WHERE contact_id = 22 AND status = 'pre-scheduled')`
      )
      // Only a run's own writes go uncounted, and those drop the triggers (change-tracking.ts QUIET_TRIGGERS).
      assert.strictEqual(counter(path), before + 2, "the counter counts them")
      assert.deepStrictEqual(
        [...changed(path)],
        [
          [21, before + 1],
          [22, before + 2]
        ]
      )
    })
  )

  it.effect("a database migrated before look-alike writes counted gets the counting triggers", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "before-0008.sqlite", 100, 3, AS_OF)
      yield* run(path)
      // The insert trigger as migration 0006 made it: a row with the scheduler's status and a run id went uncounted.
      write(
        path,
        "DROP TRIGGER email_scheduler_changed_email_schedules_insert",
        `CREATE TRIGGER email_scheduler_changed_email_schedules_insert AFTER INSERT ON email_schedules BEGIN
          UPDATE email_scheduler_changes SET version = version + 1
            WHERE id = 1 AND (NEW.scheduler_run_id IS NULL OR NEW.status NOT IN ('pre-scheduled', 'skipped'));
        END`,
        "DELETE FROM email_scheduler_migrations WHERE name = 'count_lookalike_writes'"
      )
      const lookalike = (date: string) =>
        `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, scheduled_send_time, status, priority,
          scheduler_run_id, metadata, created_at, updated_at)
          VALUES (21, 'birthday', '${date}', '08:30:00', 'pre-scheduled', 10, 'run_injected', '{}', '', '')`
      const before = counter(path)
      write(path, lookalike("2027-06-01"))
      assert.strictEqual(counter(path), before, "the old trigger does not count it")
      yield* runMigrations.pipe(Effect.provide(sqliteFile(path)))
      write(path, lookalike("2027-06-02"))
      assert.strictEqual(counter(path), before + 1, "migration 0008's trigger does")
    })
  )

  it.effect("a value that names no contact records nothing and never fails the other application's write", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "malformed.sqlite", 100, 3, AS_OF)
      yield* run(path)
      forgetAll(path)
      write(path, "INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES ('not a contact', '2026-11-28')")
      write(path, "INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES (NULL, '2026-11-28')")
      assert.deepStrictEqual(idsOf(path), [])
    })
  )

  it.effect(
    "a run's own writes record only the contacts whose rows it deleted or enrollments it changed; changes after its start stay",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "own.sqlite", 300, 3, AS_OF)
        yield* run(path)
        // Every birthday row goes: the next run writes them again, and its inserts and updates record nothing.
        write(path, "DELETE FROM email_schedules WHERE email_type = 'birthday'")
        assert.isAbove(idsOf(path).length, 0)
        // An entry at a counter value beyond the run's start stands for a change made while the run was planning.
        const later = counter(path) + 1_000
        write(path, `INSERT OR REPLACE INTO ${CHANGED_CONTACTS_TABLE} (contact_id, version) VALUES (299, ${later})`)
        const deletedFor = yield* runDeleting(path)
        assert.deepStrictEqual(
          idsOf(path),
          [...new Set([...deletedFor, 299])].sort((a, b) => a - b)
        )
        assert.strictEqual(changed(path).get(299), later)

        // A run that deletes rows (a contact's email turned invalid) records their contact: its plan changed.
        write(path, "UPDATE contacts SET email = 'not an address' WHERE id = 40")
        const start = counter(path)
        const deleted = yield* runDeleting(path)
        assert.include(deleted, 40)
        assert.deepStrictEqual(
          idsOf(path),
          [...new Set([...deleted, 299])].sort((a, b) => a - b)
        )
        assert.isAbove(changed(path).get(40) ?? 0, start, "recorded by the run's own delete, after its start")
      })
  )

  it.effect("a dry run forgets nothing", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "dry.sqlite", 100, 3, AS_OF)
      yield* run(path)
      forgetAll(path)
      write(path, "UPDATE contacts SET zip_code = '75201' WHERE id = 7")
      yield* run(path, true)
      assert.deepStrictEqual(idsOf(path), [7])
    })
  )

  it.effect("an upgraded predecessor database records changes from its first migration on", () =>
    Effect.gen(function* () {
      const path = join(dir, "predecessor.sqlite")
      buildPredecessorDatabase(path)
      yield* runMigrations.pipe(Effect.provide(sqliteFile(path)))
      const id = Number(oneValue(path, "SELECT min(id) FROM contacts"))
      write(path, `UPDATE contacts SET state = 'TX' WHERE id = ${id}`)
      assert.deepStrictEqual(idsOf(path), [id])
    })
  )
})
