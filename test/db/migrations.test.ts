import { copyFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { sqliteFile } from "../../src/app/sqlite.js"
import { MIGRATIONS_TABLE, runMigrations } from "../../src/db/migrations.js"
import { TABLES } from "../../src/db/schema.js"
import { useTempDir } from "../support/files.js"
import { buildPredecessorDatabase } from "../support/predecessor.js"

const FIXTURE = fileURLToPath(new URL("../../../shared/fixtures/predecessor-10k.sqlite3", import.meta.url))
const dir = useTempDir("migrations")

const migrate = (path: string) => runMigrations.pipe(Effect.provide(sqliteFile(path)))

/** Every row of every table, as SQLite returns it, keyed by table name. */
const snapshotRows = (path: string, tables: ReadonlyArray<string>) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const rows = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]))
  db.close()
  return rows
}

const schemaOf = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all()
  db.close()
  return schema
}

const indexColumns = (db: BetterSqlite3.Database, table: string) =>
  (
    db.prepare(`SELECT name, "unique" AS u FROM pragma_index_list(?)`).all(table) as Array<{ name: string; u: number }>
  ).map((index) => ({
    unique: index.u === 1,
    columns: (
      db.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno").all(index.name) as Array<{
        name: string
      }>
    ).map((c) => c.name)
  }))

/** Old rows keep every old column value: compare each old row with the new row restricted to the old columns. */
const assertRowsSurvive = (
  before: Record<string, ReadonlyArray<unknown>>,
  after: Record<string, ReadonlyArray<unknown>>
) => {
  for (const [table, oldRows] of Object.entries(before)) {
    const newRows = after[table] as ReadonlyArray<Record<string, unknown>>
    assert.strictEqual(newRows.length, oldRows.length, `row count of ${table}`)
    oldRows.forEach((oldRow, i) => {
      const restricted = Object.fromEntries(Object.keys(oldRow as object).map((k) => [k, newRows[i]?.[k]]))
      assert.deepStrictEqual(restricted, oldRow, `${table} row ${i}`)
    })
  }
}

describe("migrations", () => {
  it.effect("create every table of spec §2 with its indexes on an empty file, and are a no-op the second time", () =>
    Effect.gen(function* () {
      const path = join(dir, "fresh.sqlite")
      const first = yield* migrate(path)
      const schema = schemaOf(path)
      const second = yield* migrate(path)
      assert.deepStrictEqual(first, [[1, "base_schema"]])
      assert.deepStrictEqual(second, [])
      assert.deepStrictEqual(schemaOf(path), schema)
      const db = new BetterSqlite3(path, { readonly: true })
      for (const table of TABLES) {
        const columns = (
          db.prepare("SELECT name FROM pragma_table_info(?)").all(table.name) as Array<{ name: string }>
        ).map((c) => c.name)
        assert.deepStrictEqual(
          columns,
          table.columns.map((c) => c.name),
          table.name
        )
        const indexes = indexColumns(db, table.name)
        for (const wanted of table.indexes) {
          assert.isTrue(
            indexes.some((i) => i.unique === wanted.unique && i.columns.join() === wanted.columns.join()),
            `${table.name} index ${wanted.columns.join()}`
          )
        }
      }
      assert.strictEqual(
        (db.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number }).n,
        1,
        "one migration recorded in our own table"
      )
      db.close()
    })
  )

  it.effect("upgrade a predecessor database: every row survives, twice; the legacy unique constraint is gone", () =>
    Effect.gen(function* () {
      const path = join(dir, "predecessor.sqlite")
      buildPredecessorDatabase(path)
      const oldTables = [
        "contacts",
        "email_schedules",
        "campaign_types",
        "campaign_instances",
        "contact_campaigns",
        "organizations"
      ]
      const before = snapshotRows(path, oldTables)

      yield* migrate(path)
      const afterFirst = snapshotRows(path, oldTables)
      assertRowsSurvive(before, afterFirst)
      const schema = schemaOf(path)
      assert.deepStrictEqual(yield* migrate(path), [])
      assert.deepStrictEqual(snapshotRows(path, oldTables), afterFirst)
      assert.deepStrictEqual(schemaOf(path), schema)

      const db = new BetterSqlite3(path)
      const emailIndexes = indexColumns(db, "email_schedules")
      assert.isFalse(emailIndexes.some((i) => i.unique && i.columns.join() === "contact_id,email_type,event_year"))
      assert.isTrue(
        emailIndexes.some((i) => i.unique && i.columns.join() === "contact_id,email_type,scheduled_send_date")
      )
      // Two rows of one type in one year are now legal (follow-ups, post-window).
      db.prepare(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, event_year)
        VALUES (1, 'birthday', '2026-08-20', 2026)`).run()
      // The predecessor's trigger and AUTOINCREMENT high-water mark survive the rebuild.
      assert.strictEqual(
        (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get() as { n: number }).n,
        1
      )
      assert.strictEqual((db.prepare("SELECT max(id) AS m FROM email_schedules").get() as { m: number }).m, 101)
      // New columns exist with their defaults on old rows.
      const org = db.prepare("SELECT * FROM organizations").get() as Record<string, unknown>
      assert.strictEqual(org.active, 1)
      assert.strictEqual(org.ruleset, "baseline")
      assert.strictEqual(org.size_profile, "medium", "an existing value is never rewritten")
      assert.strictEqual(org.pre_exclusion_buffer_days, 45)
      const type = db.prepare("SELECT spread_evenly, skip_failed_underwriting FROM campaign_types").get()
      assert.deepStrictEqual(type, { spread_evenly: 0, skip_failed_underwriting: 0 })
      db.close()
    })
  )

  it.effect("upgrade the shared predecessor fixture in place (named legacy index, 10,000 contacts)", () =>
    Effect.gen(function* () {
      assert.isTrue(existsSync(FIXTURE), `fixture expected at ${FIXTURE}`)
      const path = join(dir, "fixture.sqlite")
      copyFileSync(FIXTURE, path)
      const before = snapshotRows(path, ["contacts", "email_schedules"])
      yield* migrate(path)
      yield* migrate(path)
      assertRowsSurvive(before, snapshotRows(path, ["contacts", "email_schedules"]))
      const db = new BetterSqlite3(path, { readonly: true })
      const names = (
        db.prepare("SELECT name FROM pragma_index_list('email_schedules')").all() as Array<{ name: string }>
      ).map((i) => i.name)
      assert.notInclude(names, "idx_email_schedules_unique_event")
      assert.include(names, "idx_email_schedules_unique", "the existing key index is reused, not duplicated")
      db.close()
    })
  )
})
