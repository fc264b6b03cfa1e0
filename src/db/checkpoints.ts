import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { DatabaseError } from "./errors.js"

export interface CheckpointCounts {
  readonly contacts_total: number
  readonly contacts_processed: number
  readonly contacts_invalid_email: number
  readonly contacts_no_state: number
  readonly contacts_with_warnings: number
  readonly emails_planned: number
  readonly emails_pre_scheduled: number
  readonly emails_skipped: number
  readonly rows_inserted: number
  readonly rows_updated: number
  readonly rows_deleted: number
  readonly rows_unchanged: number
  readonly rows_dropped_handled: number
  readonly rows_dropped_duplicate: number
  readonly contact_campaigns_updated: number
}

const LatestRows = Schema.Array(
  Schema.Struct({
    status: Schema.String,
    as_of_date: Schema.String,
    config_checksum: Schema.NullOr(Schema.String),
    ruleset: Schema.String,
    zip_dataset: Schema.String,
    data_version: Schema.NullOr(Schema.Int),
    scheduler_version: Schema.NullOr(Schema.String),
    details: Schema.NullOr(Schema.String)
  })
)

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

/** The `scheduler_checkpoints` row of one run: inserted `started`, finished `completed` or `failed` (spec §12.5). */
export const Checkpoint = {
  start: (row: {
    readonly runId: string
    readonly asOf: string
    readonly startedAt: string
    readonly ruleset: string
    readonly zipDataset: string
    readonly sizeProfile: string
  }) =>
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql`INSERT INTO scheduler_checkpoints ${sql.insert({
          run_id: row.runId,
          as_of_date: row.asOf,
          status: "started",
          started_at: row.startedAt,
          ruleset: row.ruleset,
          zip_dataset: row.zipDataset,
          size_profile: row.sizeProfile
        })}`
    ).pipe(failAs("insert checkpoint")),

  complete: (
    runId: string,
    finishedAt: string,
    counts: CheckpointCounts,
    checksums: { readonly config: string; readonly contacts: string; readonly plan: string },
    record: {
      readonly details: string
      /** The change counter, when nothing but this run changed it (db/change-tracking.ts). */
      readonly dataVersion: number | undefined
      readonly schedulerVersion: string
    }
  ) =>
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql`UPDATE scheduler_checkpoints SET ${sql.update({
        status: "completed",
        finished_at: finishedAt,
        ...counts,
        config_checksum: checksums.config,
        contacts_checksum: checksums.contacts,
        plan_checksum: checksums.plan,
        details: record.details,
        data_version: record.dataVersion ?? null,
        scheduler_version: record.schedulerVersion
      })} WHERE run_id = ${runId}`.pipe(
        // Earlier runs still `started` were killed (a live one would set its own status when it ends): abandoned.
        Effect.zipRight(
          sql`UPDATE scheduler_checkpoints SET status = 'abandoned',
                  error = 'abandoned: the run stopped without finishing (killed); a later run completed'
                WHERE status = 'started'
                  AND id < (SELECT id FROM scheduler_checkpoints WHERE run_id = ${runId})`.pipe(
            // A predecessor's checkpoints table without our CHECK may refuse the value: leave those rows as they are.
            Effect.catchAll(() => Effect.void)
          )
        )
      )
    ).pipe(failAs("complete checkpoint")),

  /** The newest checkpoint, whatever its status: what the last run, finished or not, left. */
  latest: Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT status, as_of_date, config_checksum, ruleset, zip_dataset, data_version, scheduler_version, details
      FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1`.pipe(Effect.flatMap(Schema.decodeUnknown(LatestRows)))
  ).pipe(
    Effect.map((rows) => Option.fromNullable(rows[0])),
    failAs("read the latest checkpoint")
  ),

  fail: (runId: string, finishedAt: string, error: string) =>
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql`UPDATE scheduler_checkpoints SET status = 'failed', finished_at = ${finishedAt}, error = ${error}
        WHERE run_id = ${runId}`
    ).pipe(failAs("mark checkpoint failed"))
}
