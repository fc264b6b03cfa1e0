import { quoteIdentifier } from "./introspect.js"

/**
 * The tables of spec §2, described once. The migration creates a missing table from this description and adds any
 * missing column to an existing (predecessor) table, so both a fresh file and an old production database end up with
 * every column the scheduler needs.
 */

export interface ColumnDefinition {
  readonly name: string
  /** Declaration used in CREATE TABLE. */
  readonly create: string
  /**
   * Declaration used by ALTER TABLE ADD COLUMN on an older table, where SQLite forbids PRIMARY KEY, UNIQUE and
   * non-constant defaults; undefined means the column is never added (the table cannot exist without it).
   */
  readonly add: string | undefined
}

export interface IndexDefinition {
  readonly name: string
  readonly columns: ReadonlyArray<string>
  readonly unique: boolean
}

export interface TableDefinition {
  readonly name: string
  readonly columns: ReadonlyArray<ColumnDefinition>
  readonly indexes: ReadonlyArray<IndexDefinition>
}

/** The CREATE TABLE statement of a table as described here. */
export const createTableSql = (table: TableDefinition): string =>
  `CREATE TABLE ${quoteIdentifier(table.name)} (\n  ${table.columns.map((c) => `${quoteIdentifier(c.name)} ${c.create}`).join(",\n  ")}\n)`

/** The CREATE INDEX statement of one of a table's indexes (a no-op when an index of that name exists). */
export const createIndexSql = (table: string, index: IndexDefinition): string =>
  `CREATE ${index.unique ? "UNIQUE " : ""}INDEX IF NOT EXISTS ${quoteIdentifier(index.name)} ON ${quoteIdentifier(table)} (${index.columns
    .map(quoteIdentifier)
    .join(", ")})`

const NOW = "(strftime('%Y-%m-%d %H:%M:%S', 'now'))"

const key = (name = "id"): ColumnDefinition => ({ name, create: "INTEGER PRIMARY KEY", add: undefined })
const autoKey = (): ColumnDefinition => ({ name: "id", create: "INTEGER PRIMARY KEY AUTOINCREMENT", add: undefined })
/**
 * A column with a REFERENCES clause: SQLite refuses to add one with a non-NULL default while a host has foreign keys
 * on, so an older table gets the column without the clause.
 */
const reference = (name: string, declaration: string, target: string): ColumnDefinition => ({
  name,
  create: `${declaration} REFERENCES ${target}`,
  add: declaration
})
/** A column whose declaration is valid for both CREATE TABLE and ADD COLUMN. */
const column = (name: string, declaration: string): ColumnDefinition => ({
  name,
  create: declaration,
  add: declaration
})
/** A timestamp column: defaults to now in new tables; plain nullable text when added to an old one. */
const timestamp = (name: string, notNull: boolean): ColumnDefinition => ({
  name,
  create: notNull ? `TEXT NOT NULL DEFAULT ${NOW}` : "TEXT",
  add: "TEXT"
})
const index = (table: string, columns: ReadonlyArray<string>, unique = false): IndexDefinition => ({
  name: `idx_${table}_${columns.join("_")}${unique ? "_unique" : ""}`,
  columns,
  unique
})

export const CONTACTS: TableDefinition = {
  name: "contacts",
  columns: [
    key(),
    column("email", "TEXT NOT NULL DEFAULT ''"),
    column("first_name", "TEXT"),
    column("last_name", "TEXT"),
    column("current_carrier", "TEXT"),
    column("birth_date", "TEXT"),
    column("effective_date", "TEXT"),
    column("state", "TEXT"),
    column("zip_code", "TEXT"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: []
}

export const CONTACT_EVENTS: TableDefinition = {
  name: "contact_events",
  columns: [
    key(),
    reference("contact_id", "INTEGER NOT NULL DEFAULT 0", "contacts(id)"),
    column("lead_id", "INTEGER"),
    column("event_type", "TEXT NOT NULL DEFAULT ''"),
    column("metadata", "TEXT"),
    timestamp("created_at", true)
  ],
  indexes: [index("contact_events", ["contact_id", "event_type", "created_at"])]
}

export const TRACKING_CLICKS: TableDefinition = {
  name: "tracking_clicks",
  columns: [
    key(),
    column("tracking_id", "TEXT"),
    column("contact_id", "INTEGER"),
    column("quote_id", "INTEGER"),
    { name: "clicked_at", create: `TEXT NOT NULL DEFAULT ${NOW}`, add: "TEXT" }
  ],
  indexes: [index("tracking_clicks", ["contact_id", "clicked_at"])]
}

export const EMAIL_SCHEDULES: TableDefinition = {
  name: "email_schedules",
  columns: [
    autoKey(),
    reference("contact_id", "INTEGER NOT NULL DEFAULT 0", "contacts(id) ON DELETE CASCADE"),
    column("email_type", "TEXT NOT NULL DEFAULT ''"),
    column("scheduled_send_date", "TEXT NOT NULL DEFAULT ''"),
    column("scheduled_send_time", "TEXT NOT NULL DEFAULT '08:30:00'"),
    column("status", "TEXT NOT NULL DEFAULT 'pre-scheduled'"),
    column("skip_reason", "TEXT"),
    column("priority", "INTEGER DEFAULT 10"),
    reference("campaign_instance_id", "INTEGER", "campaign_instances(id)"),
    column("email_template", "TEXT"),
    column("sms_template", "TEXT"),
    column("event_year", "INTEGER"),
    column("event_month", "INTEGER"),
    column("event_day", "INTEGER"),
    column("scheduler_run_id", "TEXT"),
    column("metadata", "TEXT"),
    timestamp("created_at", true),
    timestamp("updated_at", true),
    column("actual_send_datetime", "TEXT"),
    // Legacy and sender columns of the predecessor: kept so its sender keeps working; the scheduler leaves them NULL.
    column("batch_id", "TEXT"),
    column("catchup_note", "TEXT"),
    column("campaign_type", "TEXT"),
    column("trigger_date", "TEXT"),
    column("sent_at", "TEXT")
  ],
  // Only the indexes a known query needs (issue 11; docs/database.md): each one costs every insert.
  indexes: [
    index("email_schedules", ["contact_id", "email_type", "scheduled_send_date"], true),
    index("email_schedules", ["status", "scheduled_send_date"])
  ]
}

/** The predecessor's unique index that spec §2.4 requires us to drop: several rows of one type per year are legal. */
export const LEGACY_UNIQUE_EVENT_COLUMNS = ["contact_id", "email_type", "event_year"] as const

export const CAMPAIGN_TYPES: TableDefinition = {
  name: "campaign_types",
  columns: [
    key(),
    { name: "name", create: "TEXT NOT NULL UNIQUE", add: "TEXT NOT NULL DEFAULT ''" },
    column("respect_exclusion_windows", "INTEGER NOT NULL DEFAULT 1"),
    column("enable_followups", "INTEGER NOT NULL DEFAULT 1"),
    column("days_before_event", "INTEGER NOT NULL DEFAULT 0"),
    column("target_all_contacts", "INTEGER NOT NULL DEFAULT 0"),
    column("priority", "INTEGER NOT NULL DEFAULT 30"),
    column("active", "INTEGER NOT NULL DEFAULT 1"),
    column("spread_evenly", "INTEGER NOT NULL DEFAULT 0"),
    column("skip_failed_underwriting", "INTEGER NOT NULL DEFAULT 0"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: [index("campaign_types", ["name"], true)]
}

export const CAMPAIGN_INSTANCES: TableDefinition = {
  name: "campaign_instances",
  columns: [
    key(),
    column("campaign_type", "TEXT NOT NULL DEFAULT ''"),
    column("instance_name", "TEXT NOT NULL DEFAULT ''"),
    column("email_template", "TEXT"),
    column("sms_template", "TEXT"),
    column("active_start_date", "TEXT"),
    column("active_end_date", "TEXT"),
    column("spread_start_date", "TEXT"),
    column("spread_end_date", "TEXT"),
    column("target_states", "TEXT"),
    column("target_carriers", "TEXT"),
    column("metadata", "TEXT"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: [
    index("campaign_instances", ["campaign_type"]),
    index("campaign_instances", ["active_start_date", "active_end_date"])
  ]
}

export const CONTACT_CAMPAIGNS: TableDefinition = {
  name: "contact_campaigns",
  columns: [
    key(),
    reference("contact_id", "INTEGER NOT NULL DEFAULT 0", "contacts(id)"),
    reference("campaign_instance_id", "INTEGER NOT NULL DEFAULT 0", "campaign_instances(id)"),
    column("trigger_date", "TEXT"),
    column("status", "TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'scheduled', 'sent', 'skipped'))"),
    column("metadata", "TEXT"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: [index("contact_campaigns", ["contact_id"]), index("contact_campaigns", ["campaign_instance_id", "status"])]
}

export const ORGANIZATIONS: TableDefinition = {
  name: "organizations",
  columns: [
    key(),
    column("name", "TEXT NOT NULL DEFAULT ''"),
    column("active", "INTEGER NOT NULL DEFAULT 1"),
    column("timezone", "TEXT NOT NULL DEFAULT 'America/Chicago'"),
    column("ruleset", "TEXT NOT NULL DEFAULT 'baseline'"),
    column("pre_exclusion_buffer_days", "INTEGER NOT NULL DEFAULT 60"),
    column("birthday_days_before", "INTEGER NOT NULL DEFAULT 14"),
    column("effective_date_days_before", "INTEGER NOT NULL DEFAULT 30"),
    column("effective_date_first_email_months", "INTEGER NOT NULL DEFAULT 11"),
    column("aep_enabled", "INTEGER NOT NULL DEFAULT 1"),
    column("aep_month", "INTEGER NOT NULL DEFAULT 9"),
    column("aep_day", "INTEGER NOT NULL DEFAULT 15"),
    column("enable_post_window_emails", "INTEGER NOT NULL DEFAULT 1"),
    column("exclude_failed_underwriting_global", "INTEGER NOT NULL DEFAULT 0"),
    column("send_without_zipcode_for_universal", "INTEGER NOT NULL DEFAULT 1"),
    column("max_emails_per_period", "INTEGER NOT NULL DEFAULT 3"),
    column("frequency_period_days", "INTEGER NOT NULL DEFAULT 30"),
    column("catch_up_spread_days", "INTEGER NOT NULL DEFAULT 7"),
    column("followup_lookback_days", "INTEGER NOT NULL DEFAULT 35"),
    column("followup_delay_days", "INTEGER NOT NULL DEFAULT 2"),
    column("send_time_hour", "INTEGER NOT NULL DEFAULT 8"),
    column("send_time_minute", "INTEGER NOT NULL DEFAULT 30"),
    column(
      "size_profile",
      "TEXT DEFAULT NULL CHECK (size_profile IS NULL OR size_profile IN ('auto', 'small', 'medium', 'large', 'enterprise'))"
    ),
    column("config_overrides", "TEXT"),
    column("overage_threshold", "REAL NOT NULL DEFAULT 1.2"),
    column("ed_share_of_daily_cap", "REAL NOT NULL DEFAULT 0.3"),
    column("birthday_priority", "INTEGER NOT NULL DEFAULT 10"),
    column("effective_date_priority", "INTEGER NOT NULL DEFAULT 20"),
    column("aep_priority", "INTEGER NOT NULL DEFAULT 30"),
    column("post_window_priority", "INTEGER NOT NULL DEFAULT 40"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: []
}

export const ORGANIZATION_STATE_BUFFERS: TableDefinition = {
  name: "organization_state_buffers",
  columns: [
    { name: "state", create: "TEXT PRIMARY KEY", add: undefined },
    column("days", "INTEGER NOT NULL DEFAULT 60"),
    timestamp("created_at", false),
    timestamp("updated_at", false)
  ],
  indexes: []
}

export const SCHEDULER_CHECKPOINTS: TableDefinition = {
  name: "scheduler_checkpoints",
  columns: [
    autoKey(),
    { name: "run_id", create: "TEXT NOT NULL UNIQUE", add: undefined },
    column("as_of_date", "TEXT NOT NULL DEFAULT ''"),
    column("status", "TEXT NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'completed', 'failed'))"),
    column("started_at", "TEXT NOT NULL DEFAULT ''"),
    column("finished_at", "TEXT"),
    column("ruleset", "TEXT NOT NULL DEFAULT ''"),
    column("zip_dataset", "TEXT NOT NULL DEFAULT ''"),
    column("size_profile", "TEXT NOT NULL DEFAULT ''"),
    ...[
      "contacts_total",
      "contacts_processed",
      "contacts_invalid_email",
      "contacts_no_state",
      "contacts_with_warnings",
      "emails_planned",
      "emails_pre_scheduled",
      "emails_skipped",
      "rows_inserted",
      "rows_updated",
      "rows_deleted",
      "rows_unchanged",
      "rows_dropped_handled",
      "rows_dropped_duplicate",
      "contact_campaigns_updated"
    ].map((name) => column(name, "INTEGER")),
    column("config_checksum", "TEXT"),
    column("contacts_checksum", "TEXT"),
    column("plan_checksum", "TEXT"),
    column("details", "TEXT"),
    column("error", "TEXT"),
    // The change counter when the run completed, if nothing but the run changed it (db/change-tracking.ts).
    column("data_version", "INTEGER"),
    column("scheduler_version", "TEXT")
  ],
  indexes: [index("scheduler_checkpoints", ["run_id"], true), index("scheduler_checkpoints", ["started_at"])]
}

/** Creation order: referenced tables first. */
export const TABLES: ReadonlyArray<TableDefinition> = [
  CONTACTS,
  CONTACT_EVENTS,
  TRACKING_CLICKS,
  CAMPAIGN_TYPES,
  CAMPAIGN_INSTANCES,
  CONTACT_CAMPAIGNS,
  EMAIL_SCHEDULES,
  ORGANIZATIONS,
  ORGANIZATION_STATE_BUFFERS,
  SCHEDULER_CHECKPOINTS
]
