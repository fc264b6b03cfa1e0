import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DatabaseError } from "./errors.js"
import { tableColumns } from "./introspect.js"
import { MIGRATIONS_TABLE } from "./migrations-table.js"

/** The database holds neither our schema nor the predecessor's: migrating it would rewrite someone else's data. */
export class UnrecognisedDatabase extends Schema.TaggedError<UnrecognisedDatabase>()("UnrecognisedDatabase", {
  tables: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const shown = this.tables.slice(0, 8).join(", ") + (this.tables.length > 8 ? ", …" : "")
    return `This is not an email-scheduler database (its tables are ${shown}; neither ours nor a contacts and email_schedules pair of the program it replaces), so it was left unchanged.`
  }
}

const TableName = Schema.Struct({ name: Schema.String })

/** The columns the predecessor's production shape always had (spec §2.1, §2.2). */
const PREDECESSOR_COLUMNS: Readonly<Record<string, ReadonlyArray<string>>> = {
  contacts: ["id", "email", "birth_date", "effective_date"],
  email_schedules: ["contact_id", "email_type", "scheduled_send_date", "status"]
}

/**
 * Whether the schema may be created or upgraded here: an empty database, one with our migrations table, or one of
 * the predecessor's recognisable shape. Anything else (another application's file) is refused before any write.
 */
export const ensureRecognised = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tables = (yield* sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
      ORDER BY name`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(TableName))))).map((row) => row.name)
  if (tables.length === 0 || tables.includes(MIGRATIONS_TABLE)) return
  for (const [table, required] of Object.entries(PREDECESSOR_COLUMNS)) {
    const columns = tables.includes(table) ? yield* tableColumns(table) : new Set<string>()
    if (!required.every((column) => columns.has(column))) return yield* new UnrecognisedDatabase({ tables })
  }
}).pipe(
  Effect.catchTags({
    SqlError: (cause) => Effect.fail(new DatabaseError({ operation: "read the schema", cause })),
    ParseError: (cause) => Effect.fail(new DatabaseError({ operation: "read the schema", cause }))
  })
)
