import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { quoteIdentifier } from "../introspect.js"
import { TABLES } from "../schema.js"

/**
 * Indexes migration 0001 created that no query of the scheduler or the sender needs (issue 11): every index costs
 * every insert, and `email_schedules` takes millions of them a night. The two kept are documented in
 * docs/database.md with the query each serves.
 */
const UNNEEDED_OWN_INDEXES = [
  "idx_email_schedules_contact_id",
  "idx_email_schedules_scheduler_run_id",
  "idx_email_schedules_event_year_event_month_event_day",
  "idx_email_schedules_campaign_instance_id"
] as const

const IndexListRow = Schema.Struct({
  name: Schema.String,
  unique: Schema.Int,
  origin: Schema.String,
  partial: Schema.Int
})
/** A key column of an index: its name (NULL for an expression), sort order and collation. */
const IndexKeyColumn = Schema.Struct({ name: Schema.NullOr(Schema.String), desc: Schema.Int, coll: Schema.String })

export interface IndexShape {
  readonly name: string
  readonly unique: boolean
  /** `c` for CREATE INDEX; `u` and `pk` belong to table constraints, which cannot be dropped. */
  readonly origin: string
  /** Each key column as `name desc collation`; undefined for partial and expression indexes, which are kept. */
  readonly keys: ReadonlyArray<string> | undefined
}

const indexShapes = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const list = yield* sql`SELECT name, "unique" AS "unique", origin, partial FROM pragma_index_list(${table})`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Array(IndexListRow)))
    )
    const shapes: Array<IndexShape> = []
    for (const index of list) {
      const columns = yield* sql`SELECT name, "desc" AS "desc", coll FROM pragma_index_xinfo(${index.name})
          WHERE key = 1 ORDER BY seqno`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(IndexKeyColumn))))
      const plain = index.partial === 0 && columns.every((column) => column.name !== null)
      shapes.push({
        name: index.name,
        unique: index.unique === 1,
        origin: index.origin,
        keys: plain
          ? columns.map((column) => `${column.name?.toLowerCase()} ${column.desc} ${column.coll.toLowerCase()}`)
          : undefined
      })
    }
    return shapes
  })

const isLeftPrefix = (prefix: ReadonlyArray<string>, of: ReadonlyArray<string>): boolean =>
  prefix.length <= of.length && prefix.every((key, i) => key === of[i])

/**
 * The indexes of one table that no query loses by dropping: a plain non-unique index (made by CREATE INDEX) whose key
 * columns equal, or are a left prefix of, those of another index of the table. Of two identical non-unique indexes
 * the one with the greater name goes. Unique indexes, constraint indexes, partial and expression indexes all stay.
 */
export const redundantIndexes = (indexes: ReadonlyArray<IndexShape>): ReadonlyArray<string> =>
  indexes
    .filter((index) => {
      const keys = index.keys
      if (keys === undefined || index.unique || index.origin !== "c") return false
      return indexes.some((other) => {
        if (other === index || other.keys === undefined || !isLeftPrefix(keys, other.keys)) return false
        if (other.keys.length > keys.length || other.unique) return true
        // Identical non-unique twins: keep the one whose name sorts first.
        return other.name < index.name
      })
    })
    .map((index) => index.name)

/**
 * Issue 11: drops the indexes 0001 created that no query needs, then every index of our tables that duplicates or is
 * a left prefix of another (upgraded predecessor databases carry several). No row changes.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const name of UNNEEDED_OWN_INDEXES) yield* sql.unsafe(`DROP INDEX IF EXISTS ${quoteIdentifier(name)}`)
  for (const table of TABLES) {
    for (const name of redundantIndexes(yield* indexShapes(table.name)))
      yield* sql.unsafe(`DROP INDEX ${quoteIdentifier(name)}`)
  }
})
