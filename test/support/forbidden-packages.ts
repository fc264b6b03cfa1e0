/**
 * What nothing reachable from the library entry (`email-scheduler`) may import: a platform, the SQLite driver, the CLI,
 * or a cloud SDK (those come only through `email-scheduler/gcs` and `email-scheduler/s3`, issue 11).
 */
export const FORBIDDEN_IN_LIBRARY = [
  "@effect/platform-node",
  "@effect/sql-sqlite-node",
  "@effect/cli",
  "better-sqlite3",
  "@aws-sdk/client-s3",
  "@google-cloud/storage"
]
