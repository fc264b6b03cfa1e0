import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { quoteIdentifier, tableColumns, tableExists, tableIndexes } from "../introspect.js"
import {
  createIndexSql,
  createTableSql,
  EMAIL_SCHEDULES,
  type IndexDefinition,
  LEGACY_UNIQUE_EVENT_COLUMNS,
  TABLES,
  type TableDefinition
} from "../schema.js"

const createTable = (table: TableDefinition) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(createTableSql(table)))

/** Adds every column an older (predecessor) table lacks; its rows and other columns are kept as they are. */
const addMissingColumns = (table: TableDefinition) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const existing = yield* tableColumns(table.name)
    for (const column of table.columns) {
      if (existing.has(column.name.toLowerCase())) continue
      if (column.add === undefined) {
        return yield* Effect.fail(
          new Error(`table ${table.name} has no ${column.name} column and cannot be upgraded in place`)
        )
      }
      yield* sql.unsafe(
        `ALTER TABLE ${quoteIdentifier(table.name)} ADD COLUMN ${quoteIdentifier(column.name)} ${column.add}`
      )
    }
  })

/** Creates an index unless one with the same columns and uniqueness already exists (under any name). */
const ensureIndex = (table: string, index: IndexDefinition) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const wanted = index.columns.join(",")
    const present = (yield* tableIndexes(table)).some(
      (existing) => existing.columns === wanted && (existing.unique === 1) === index.unique
    )
    if (present) return
    yield* sql.unsafe(createIndexSql(table, index))
  })

const SqlText = Schema.Struct({ sql: Schema.NullOr(Schema.String) })
const Sequence = Schema.Struct({ seq: Schema.NullOr(Schema.Int) })

/**
 * Spec §2.4: drop the predecessor's unique index on (contact_id, email_type, event_year). A named index is dropped;
 * a UNIQUE table constraint cannot be, so the table is rebuilt without it, keeping every row, id and trigger.
 */
const dropLegacyUniqueEventIndex = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const legacy = LEGACY_UNIQUE_EVENT_COLUMNS.join(",")
  const indexes = (yield* tableIndexes(EMAIL_SCHEDULES.name)).filter(
    (index) => index.unique === 1 && index.columns === legacy
  )
  for (const index of indexes.filter((i) => i.origin === "c"))
    yield* sql.unsafe(`DROP INDEX ${quoteIdentifier(index.name)}`)
  if (indexes.some((index) => index.origin !== "c")) yield* rebuildEmailSchedules
})

const rebuildEmailSchedules = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const table = EMAIL_SCHEDULES.name
  const temporary = `${table}__rebuild`
  const columns = yield* tableColumns(table)
  const known = new Set(EMAIL_SCHEDULES.columns.map((c) => c.name))
  const extras = [...columns].filter((name) => !known.has(name))
  const dependents = yield* sql`SELECT sql FROM sqlite_master
      WHERE tbl_name = ${table} AND type IN ('index', 'trigger') AND sql IS NOT NULL`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(SqlText)))
  )
  const sequence = yield* sql`SELECT seq FROM sqlite_sequence WHERE name = ${table}`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Sequence)))
  )
  yield* createTable({ ...EMAIL_SCHEDULES, name: temporary })
  for (const extra of extras)
    yield* sql.unsafe(`ALTER TABLE ${quoteIdentifier(temporary)} ADD COLUMN ${quoteIdentifier(extra)}`)
  const copied = [...columns].map(quoteIdentifier).join(", ")
  yield* sql.unsafe(
    `INSERT INTO ${quoteIdentifier(temporary)} (${copied}) SELECT ${copied} FROM ${quoteIdentifier(table)}`
  )
  yield* sql.unsafe(`DROP TABLE ${quoteIdentifier(table)}`)
  yield* sql.unsafe(`ALTER TABLE ${quoteIdentifier(temporary)} RENAME TO ${quoteIdentifier(table)}`)
  for (const dependent of dependents) if (dependent.sql !== null) yield* sql.unsafe(dependent.sql)
  const seq = sequence[0]?.seq
  if (seq !== undefined && seq !== null) {
    // Keep AUTOINCREMENT from reusing ids of rows the predecessor deleted.
    yield* sql`UPDATE sqlite_sequence SET seq = max(seq, ${seq}) WHERE name = ${table}`
  }
})

/**
 * Creates every table of spec §2 on a fresh file, or upgrades a predecessor database in place: missing tables are
 * created, missing columns added, the legacy unique index dropped, the indexes of spec §2 ensured. No row is changed.
 */
export default Effect.gen(function* () {
  for (const table of TABLES) {
    if (yield* tableExists(table.name)) yield* addMissingColumns(table)
    else yield* createTable(table)
  }
  yield* dropLegacyUniqueEventIndex
  for (const table of TABLES) {
    for (const index of table.indexes) yield* ensureIndex(table.name, index)
  }
})
