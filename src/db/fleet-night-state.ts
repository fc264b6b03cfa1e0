/**
 * The dispatcher's memory of a night: one row per organization and attempt in a small SQLite file of its own. Every
 * change is a conditional UPDATE from the state the dispatcher last saw, so a dispatcher that died and was started
 * again continues where it was: it adopts a machine already created (by its unique name) instead of creating another.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"

/** `creating` (a name chosen, the machine perhaps not created yet) → `running` (machine id known) → `exited`. */
export const AttemptState = Schema.Literal("creating", "running", "exited", "start_failed")
export type AttemptState = typeof AttemptState.Type

export const Attempt = Schema.Struct({
  night: Schema.String,
  org: Schema.String,
  attempt: Schema.Int,
  machine_name: Schema.String,
  machine_id: Schema.NullOr(Schema.String),
  state: AttemptState,
  exit_code: Schema.NullOr(Schema.Int),
  message: Schema.NullOr(Schema.String),
  started_at: Schema.Number,
  finished_at: Schema.NullOr(Schema.Number),
  /** From the job's report (fleet/report.ts), when the dispatcher could read it. */
  contacts: Schema.NullOr(Schema.Int),
  emails: Schema.NullOr(Schema.Int),
  conflict: Schema.NullOr(Schema.Literal(0, 1)),
  database_bytes: Schema.NullOr(Schema.Int)
})
export type Attempt = typeof Attempt.Type

const decodeAttempts = Schema.decodeUnknown(Schema.Array(Attempt))
const decodeSizes = Schema.decodeUnknown(Schema.Array(Schema.Struct({ database_bytes: Schema.Int })))

export const nightState = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS fleet_attempts (
    night TEXT NOT NULL,
    org TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    machine_name TEXT NOT NULL UNIQUE,
    machine_id TEXT,
    state TEXT NOT NULL,
    exit_code INTEGER,
    message TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    contacts INTEGER,
    emails INTEGER,
    conflict INTEGER,
    database_bytes INTEGER,
    PRIMARY KEY (night, org, attempt)
  )`

  const attempts = (night: string, org?: string) =>
    (org === undefined
      ? sql`SELECT * FROM fleet_attempts WHERE night = ${night} ORDER BY org, attempt`
      : sql`SELECT * FROM fleet_attempts WHERE night = ${night} AND org = ${org} ORDER BY attempt`
    ).pipe(Effect.flatMap(decodeAttempts), Effect.orDie)

  /** A new attempt, unless another dispatcher recorded the same one first (then false). */
  const begin = (row: { night: string; org: string; attempt: number; machineName: string; at: number }) =>
    sql`INSERT OR IGNORE INTO fleet_attempts (night, org, attempt, machine_name, state, started_at)
        VALUES (${row.night}, ${row.org}, ${row.attempt}, ${row.machineName}, 'creating', ${row.at})
        RETURNING attempt`.pipe(
      Effect.map((rows) => rows.length === 1),
      Effect.orDie
    )

  /** The last database size an organization's job reported, any night: the next machine's disk follows it. */
  const lastDatabaseBytes = (org: string) =>
    sql`SELECT database_bytes FROM fleet_attempts
        WHERE org = ${org} AND database_bytes IS NOT NULL ORDER BY finished_at DESC LIMIT 1`.pipe(
      Effect.flatMap(decodeSizes),
      Effect.map((rows) => rows[0]?.database_bytes),
      Effect.orDie
    )

  /** The numbers of the job's report, on an attempt that has ended. */
  const recordReport = (
    key: { night: string; org: string; attempt: number },
    report: { contacts: number | null; emails: number | null; conflict: boolean; databaseBytes: number | null }
  ) =>
    sql`UPDATE fleet_attempts SET contacts = ${report.contacts}, emails = ${report.emails},
          conflict = ${report.conflict ? 1 : 0}, database_bytes = ${report.databaseBytes}
        WHERE night = ${key.night} AND org = ${key.org} AND attempt = ${key.attempt}`.pipe(Effect.asVoid, Effect.orDie)

  const transition = (
    key: { night: string; org: string; attempt: number },
    from: AttemptState,
    to: { state: AttemptState; machineId?: string; exitCode?: number; message?: string; at?: number }
  ) =>
    sql`UPDATE fleet_attempts SET state = ${to.state},
          machine_id = COALESCE(${to.machineId ?? null}, machine_id),
          exit_code = ${to.exitCode ?? null}, message = ${to.message ?? null},
          finished_at = ${to.at ?? null}
        WHERE night = ${key.night} AND org = ${key.org} AND attempt = ${key.attempt} AND state = ${from}
        RETURNING attempt`.pipe(
      Effect.map((rows) => rows.length === 1),
      Effect.orDie
    )

  return { attempts, begin, transition, lastDatabaseBytes, recordReport }
})

export type NightState = Effect.Effect.Success<typeof nightState>
