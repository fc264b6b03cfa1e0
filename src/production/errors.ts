import { Schema } from "effect"
import { sentence } from "../domain/sentence.js"

/** Missing or invalid environment settings; all of them, in one message. Exit code 2. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return sentence(`Invalid configuration: ${this.problems.join("; ")}`)
  }
}

/** The bucket could not be mounted or unmounted. Exit code 3. */
export class MountError extends Schema.TaggedError<MountError>()("MountError", {
  command: Schema.String,
  stderr: Schema.String
}) {
  override get message(): string {
    return sentence(`Mount command "${this.command}" failed: ${this.stderr.trim() || "no output"}`)
  }
}

/** The database could not be pulled or pushed. Exit code 4. */
export class SyncError extends Schema.TaggedError<SyncError>()("SyncError", { reason: Schema.String }) {
  override get message(): string {
    return sentence(`Sync failed: ${this.reason}`)
  }
}

/** Someone wrote a newer copy while we ran: nothing was overwritten; our result is kept under `conflictKey`. Exit 4. */
export class SyncConflict extends Schema.TaggedError<SyncConflict>()("SyncConflict", {
  key: Schema.String,
  conflictKey: Schema.String
}) {
  override get message(): string {
    return `The remote database ${this.key} changed during the run; it was not overwritten, and this run's result was uploaded to ${this.conflictKey}.`
  }
}

/** `PRAGMA integrity_check` failed: the database is refused and nothing is pushed. Exit code 5. */
export class IntegrityError extends Schema.TaggedError<IntegrityError>()("IntegrityError", {
  stage: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return sentence(`The database failed its integrity check ${this.stage}: ${this.detail}`)
  }
}

/** The whole job ran longer than `JOB_TIMEOUT` and was stopped. Exit code 124 (the `timeout` command's). */
export class JobTimeout extends Schema.TaggedError<JobTimeout>()("JobTimeout", { limit: Schema.String }) {
  override get message(): string {
    return `The job ran longer than JOB_TIMEOUT (${this.limit}) and was stopped; an upload cut short either completed whole or left the remote copy unchanged.`
  }
}

/** 0 only when everything, push included, succeeded. */
export const exitCodeOf = (tag: string): number => {
  switch (tag) {
    case "ConfigError":
    case "SettingsInvalid":
      return 2
    case "MountError":
      return 3
    case "SyncError":
    case "SyncConflict":
      return 4
    case "IntegrityError":
    case "UnrecognisedDatabase":
      return 5
    case "LocalFileError":
      return 6
    case "JobTimeout":
      return 124
    default:
      return 1
  }
}
