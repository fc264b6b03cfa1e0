/** Our own table name, so a host application's migrator on the same file never collides with ours. */
export const MIGRATIONS_TABLE = "email_scheduler_migrations"
