/**
 * The library surface: embed the scheduler in another Effect application. Nothing reachable from here imports
 * @effect/platform-node, @effect/sql-sqlite-node, @effect/cli, better-sqlite3 or a cloud SDK (a test walks the import
 * graph): the host provides its own `SqlClient`, its time zone (the `timezone` setting, and `DateTime.CurrentTimeZone`
 * for `BusinessClock`) and, if it syncs files, an `ObjectStore` (the storage port): `directoryStore` here,
 * `gcsStore` from `email-scheduler/gcs` and `s3Store` from `email-scheduler/s3`.
 */
import { Layer } from "effect"
import { Database } from "./db/Database.js"
import { RunServicesLive } from "./run/index.js"

export { type ContactIdRange, type ContactPage, Database, StateBufferRow } from "./db/Database.js"
export { type Decoded, MalformedRow } from "./db/decode.js"
export { DatabaseError, DatabaseFileMissing, DatabaseNotAFile } from "./db/errors.js"
export { type Attempt, nightState } from "./db/fleet-night-state.js"
export { MIGRATIONS_TABLE, MigrationsLive, runMigrations } from "./db/migrations.js"
export { connectionDefaults, prepareForWriting, skipSyncing } from "./db/pragmas.js"
export { sendDue } from "./db/sender.js"
export { CampaignInstanceRow, CampaignTypeRow, EnrollmentRow, EnrollmentStatus } from "./domain/campaign.js"
export { type Contact, ContactIssue, ContactRow, validateContact } from "./domain/contact.js"
export * as Dates from "./domain/dates.js"
export {
  CampaignTypeName,
  EmailScheduleRow,
  EmailType,
  isHandledStatus,
  SchedulerStatus,
  SenderStatus,
  SkipReason
} from "./domain/email.js"
export { isValidEmail } from "./domain/email-address.js"
export { ContactEventRow, failedUnderwriting, TrackingClickRow } from "./domain/events.js"
export { STATE_CODES, type StateCode, ZIP_DATASET } from "./domain/states.js"
export { dispatchNight, type FleetSettings, machineName, type Organization } from "./fleet/dispatch.js"
export { decodeFleetFile, FleetFile, organizationsInStore } from "./fleet/fleet-file.js"
export { MachinesApiError, machinesApi, RateLimited } from "./fleet/machines-api.js"
export { nightStatus, renderNightStatus, renderNightStatusHtml } from "./fleet/status.js"
export type { PlannedEmail } from "./plan/index.js"
export { type ContactCensus, type ContactPlan, makeCensus, planContact, planContext } from "./plan/index.js"
export { comparePreviews, type PreviewComparison } from "./preview/compare.js"
export { type Preview, type PreviewDay, previewRange } from "./preview/simulate.js"
export { ConfigError, IntegrityError, MountError, SyncConflict, SyncError } from "./production/errors.js"
export { renderReportHtml } from "./report/html.js"
export { type ReportData, reportData } from "./report/report-data.js"
export { canonicalJson } from "./rules/canonical-json.js"
export { WindowMetadata } from "./rules/explanations.js"
export { hash30, jitter } from "./rules/hash.js"
export { detectProfile, type LoadParameters, loadParameters, SIZE_PROFILES } from "./rules/profiles.js"
export { makeRules, type Rules, RulesEngine } from "./rules/RulesEngine.js"
export { BASELINE, RULESETS, type Ruleset, STATUTES_2026, type StateRule } from "./rules/rulesets.js"
export { type ExclusionHit, exclusionAt, rulesInForce, type WindowHit } from "./rules/windows.js"
export {
  type ContactExplanation,
  ContactNotFound,
  explainContact,
  type RunOptions,
  type RunReport,
  RunServicesLive,
  resolveRunSettings,
  runOnce
} from "./run/index.js"
export { envName, flagName, SETTING_NAMES, SETTINGS, type SettingName } from "./settings/definitions.js"
export { settingsFromEnvironment } from "./settings/environment.js"
export { SettingOverrides } from "./settings/overrides.js"
export { type ResolvedSettings, resolveSettings, type SettingsSources } from "./settings/resolve.js"
export { SettingSource, type Settings, SettingsInvalid, SizeProfileName } from "./settings/settings.js"
export { directoryStore } from "./storage/directory-store.js"
export { ObjectNotFound, PreconditionFailed, StorageError } from "./storage/errors.js"
export { ObjectStore, type UploadCondition } from "./storage/ObjectStore.js"
export { BusinessClock, businessToday } from "./time/BusinessClock.js"

/**
 * The scheduler's live services over a host-provided `SqlClient`: Database, RulesEngine and BusinessClock. Run
 * `runMigrations` once, then `runOnce`. A host replaces any of them by providing its own layer first (for example
 * `RulesEngine.withRuleset(…)` or `BusinessClock.fixed(…)`).
 */
export const layer = Layer.mergeAll(Database.Default, RunServicesLive)
