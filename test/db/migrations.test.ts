import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { sqliteFile } from "../../src/app/sqlite.js"
import { type IndexShape, redundantIndexes } from "../../src/db/migrations/0002_lean_indexes.js"
import { MIGRATIONS_TABLE, runMigrations } from "../../src/db/migrations.js"
import { TABLES } from "../../src/db/schema.js"
import { useTempDir } from "../support/files.js"
import { buildPredecessorDatabase, buildPredecessorShapedDatabase } from "../support/predecessor.js"

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

const indexNames = (path: string, table: string): ReadonlyArray<string> => {
  const db = new BetterSqlite3(path, { readonly: true })
  const rows = db.prepare("SELECT name FROM pragma_index_list(?) ORDER BY name").all(table) as Array<{ name: string }>
  db.close()
  return rows.map((row) => row.name)
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
      assert.deepStrictEqual(first, [
        [1, "base_schema"],
        [2, "lean_indexes"],
        [3, "change_tracking"],
        [4, "abandoned_checkpoints"],
        [5, "deferred_indexes"],
        [6, "changed_contacts"],
        [7, "plan_reuse"],
        [8, "count_lookalike_writes"]
      ])
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
        8,
        "the migrations are recorded in our own table"
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
        (
          db
            .prepare(
              "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE 'email_scheduler_changed_%'"
            )
            .get() as { n: number }
        ).n,
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

  it.effect(
    "upgrade a database of the predecessor's production shape: rows survive, redundant indexes go, no access path is lost",
    () =>
      Effect.gen(function* () {
        const path = join(dir, "fixture.sqlite")
        buildPredecessorShapedDatabase(path, 10_000)
        const before = snapshotRows(path, ["contacts", "email_schedules"])
        assert.strictEqual(indexNames(path, "email_schedules").length, 10, "the predecessor's ten indexes")
        yield* migrate(path)
        yield* migrate(path)
        assertRowsSurvive(before, snapshotRows(path, ["contacts", "email_schedules"]))
        // Dropped: the legacy unique event index (spec §2.4), a non-unique twin of the unique key, and three left
        // prefixes of other indexes. Kept: every index that serves a query no other index serves.
        assert.deepStrictEqual(indexNames(path, "email_schedules"), [
          "idx_email_schedules_date_time_status",
          "idx_email_schedules_event_date",
          "idx_email_schedules_unique",
          "idx_schedules_run_id",
          "idx_schedules_status_date"
        ])
        assert.deepStrictEqual(indexNames(path, "contacts"), [
          "idx_contacts_birth_date",
          "idx_contacts_effective_date",
          "idx_contacts_state",
          "sqlite_autoindex_contacts_1"
        ])
      })
  )

  it.effect("drop the indexes an earlier version created that no query needs, keeping the two that serve queries", () =>
    Effect.gen(function* () {
      const path = join(dir, "earlier.sqlite")
      yield* migrate(path)
      const db = new BetterSqlite3(path)
      // What migration 0001 created before issue 11, and a database that has only run 0001.
      db.exec(`CREATE INDEX idx_email_schedules_contact_id ON email_schedules (contact_id);
        CREATE INDEX idx_email_schedules_scheduler_run_id ON email_schedules (scheduler_run_id);
        CREATE INDEX idx_email_schedules_event_year_event_month_event_day
          ON email_schedules (event_year, event_month, event_day);
        CREATE INDEX idx_email_schedules_campaign_instance_id ON email_schedules (campaign_instance_id);
        DELETE FROM ${MIGRATIONS_TABLE} WHERE migration_id >= 2;`)
      db.close()
      assert.deepStrictEqual(yield* migrate(path), [
        [2, "lean_indexes"],
        [3, "change_tracking"],
        [4, "abandoned_checkpoints"],
        [5, "deferred_indexes"],
        [6, "changed_contacts"],
        [7, "plan_reuse"],
        [8, "count_lookalike_writes"]
      ])
      assert.deepStrictEqual(indexNames(path, "email_schedules"), [
        "idx_email_schedules_contact_id_email_type_scheduled_send_date_unique",
        "idx_email_schedules_status_scheduled_send_date"
      ])
    })
  )
})

describe("which indexes are redundant", () => {
  const plain = (name: string, columns: ReadonlyArray<string>, unique = false): IndexShape => ({
    name,
    unique,
    origin: "c",
    keys: columns.map((column) => `${column} 0 binary`)
  })
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<IndexShape>, ReadonlyArray<string>]> = [
    ["a left prefix of a longer index", [plain("a", ["x"]), plain("b", ["x", "y"])], ["a"]],
    ["not a prefix when the order differs", [plain("a", ["y"]), plain("b", ["x", "y"])], []],
    ["a non-unique twin of a unique index", [plain("a", ["x", "y"]), plain("b", ["x", "y"], true)], ["a"]],
    ["of two identical non-unique indexes, the second name", [plain("b", ["x"]), plain("a", ["x"])], ["b"]],
    ["a unique index is never dropped", [plain("a", ["x"], true), plain("b", ["x", "y"])], []],
    [
      "a constraint index is never dropped",
      [{ ...plain("sqlite_autoindex_t_1", ["x"]), origin: "u" }, plain("b", ["x", "y"])],
      []
    ],
    ["partial and expression indexes are kept", [{ ...plain("a", []), keys: undefined }, plain("b", ["x"])], []],
    [
      "a different collation is another access path",
      [{ ...plain("a", ["x"]), keys: ["x 0 nocase"] }, plain("b", ["x", "y"])],
      []
    ],
    ["a descending key is another access path", [{ ...plain("a", ["x"]), keys: ["x 1 binary"] }, plain("b", ["x"])], []]
  ]
  for (const [label, indexes, expected] of cases) {
    it(label, () => assert.deepStrictEqual([...redundantIndexes(indexes)].sort(), expected))
  }
})
