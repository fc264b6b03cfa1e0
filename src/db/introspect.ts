import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"

/** An identifier (table, column, index name) quoted for SQL text: DDL cannot take it as a bound parameter. */
export const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

/** Decodes the rows of a catalogue query: the catalogue is SQLite's, but we still never cast a row. */
const decodeRows = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknown(Schema.Array(schema))

const TableColumn = Schema.Struct({ name: Schema.String })

const IndexSummary = Schema.Struct({
  name: Schema.String,
  unique: Schema.Int,
  origin: Schema.String,
  columns: Schema.NullOr(Schema.String)
})
export type IndexSummary = typeof IndexSummary.Type

export const tableExists = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${table}`.pipe(
      Effect.flatMap(decodeRows(TableColumn)),
      Effect.map((rows) => rows.length > 0)
    )
  )

/** Column names of a table, lower-cased (SQLite identifiers are case-insensitive). */
export const tableColumns = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT name FROM pragma_table_info(${table})`.pipe(
      Effect.flatMap(decodeRows(TableColumn)),
      Effect.map((rows) => new Set(rows.map((row) => row.name.toLowerCase())))
    )
  )

/** Every index of a table with its columns in key order, joined by commas. */
export const tableIndexes = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT il.name AS name, il."unique" AS "unique", il.origin AS origin,
          (SELECT group_concat(lower(ii.name), ',')
             FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) AS ii) AS columns
        FROM pragma_index_list(${table}) AS il`.pipe(Effect.flatMap(decodeRows(IndexSummary)))
  )

const DatabaseListRow = Schema.Struct({ name: Schema.String, file: Schema.String })

/** The path of the connection's main database file; "" for a database in memory or a temporary one. */
export const mainDatabaseFile = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`PRAGMA database_list`.pipe(
    Effect.flatMap(decodeRows(DatabaseListRow)),
    Effect.map((rows) => rows.find((row) => row.name === "main")?.file ?? "")
  )
)
