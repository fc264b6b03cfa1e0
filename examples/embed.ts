/**
 * A host application that embeds the scheduler (issue 7). The host owns its layers: its own SqlClient (here an
 * in-memory SQLite from @effect/sql-sqlite-node; a file or any other @effect/sql client works the same) and its
 * logging. The scheduler brings its services over that client: Database, RulesEngine and BusinessClock, each of
 * which the host may replace with its own layer.
 *
 *   npm run build && node dist/examples/embed.js
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as Scheduler from "email-scheduler"

/** The host's database: the scheduler's services on top of it, with the connection settings they expect. */
const HostDatabase = Scheduler.layer.pipe(
  Layer.provideMerge(Layer.effectDiscard(Scheduler.connectionDefaults)),
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
)

const PlannedRow = Schema.Struct({
  contact_id: Schema.Int,
  email_type: Schema.String,
  scheduled_send_date: Schema.String,
  status: Schema.String
})

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* Scheduler.runMigrations
  // The host's own data: an agency in New York's time zone and three contacts.
  yield* sql`INSERT INTO organizations (id, name, timezone) VALUES (1, 'Embedded agency', 'America/New_York')`
  yield* sql`INSERT INTO contacts (id, email, state, zip_code, birth_date, effective_date) VALUES
    (1, 'ann@example.com', 'TX', '75001', '1955-02-10', '2019-04-01'),
    (2, 'bob@example.com', 'CA', '90001', '1957-01-20', NULL),
    (3, 'cy@example.com', 'NY', '10001', '1956-03-05', '2020-06-15')`
  // "Today" where the agency is, from the business clock Scheduler.layer provides (a host may provide its own).
  const today = yield* Scheduler.businessToday("America/New_York", Option.none())
  // Overrides decoded from the host's configuration, with the scheduler's own schema.
  const overrides = yield* Schema.decodeUnknown(Scheduler.SettingOverrides)({ daily_send_percentage_cap: "100" })
  const report = yield* Scheduler.runOnce({ asOf: Option.some("2026-11-29"), dryRun: false, flags: overrides })
  const rows = yield* sql`SELECT contact_id, email_type, scheduled_send_date, status FROM email_schedules
    ORDER BY contact_id, scheduled_send_date`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(PlannedRow))))
  yield* Console.log(`host today: ${today}; run ${report.runId}: ${report.plan.rows} emails planned`)
  for (const row of rows) {
    yield* Console.log(`  contact ${row.contact_id} ${row.email_type} ${row.scheduled_send_date} ${row.status}`)
  }
})

program
  .pipe(
    // The host's platform: a run keeps its staging file on the file system it is given.
    Effect.provide(Layer.mergeAll(HostDatabase, NodeFileSystem.layer)),
    Effect.runPromise
  )
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
