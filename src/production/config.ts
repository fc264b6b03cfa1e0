import { Config, Effect, Option, Redacted } from "effect"
import { parseIsoDate } from "../domain/dates.js"
import { ConfigError } from "./errors.js"

export type StorageSettings =
  | {
      readonly _tag: "gcs"
      readonly bucket: string
      readonly keyFileJson: Option.Option<Redacted.Redacted<string>>
      /** An emulator or test server; production leaves it unset. */
      readonly apiEndpoint: Option.Option<string>
    }
  | {
      readonly _tag: "s3"
      readonly bucket: string
      readonly endpoint: Option.Option<string>
      readonly region: string
      readonly accessKeyId: Redacted.Redacted<string>
      readonly secretAccessKey: Redacted.Redacted<string>
    }
  | { readonly _tag: "dir"; readonly directory: string }

export interface ProductionConfig {
  readonly orgId: string
  readonly storage: StorageSettings
  readonly syncMode: "api" | "mount"
  /** Mount mode: where and how to mount the bucket; commands take {bucket}, {mountPoint}, {keyFileOption}. */
  readonly mount: { readonly point: string; readonly command: string; readonly unmountCommand: string }
  readonly dataDir: string
  readonly objectKey: string
  readonly asOf: Option.Option<string>
  /** Create the remote copy when it does not exist yet (create-only upload). */
  readonly init: boolean
}

const text = (name: string) =>
  Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
const secret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>()))

/**
 * Reads the entrypoint's settings from the environment through Effect's Config (secrets stay `Redacted` and are never
 * logged) and reports every missing or invalid value at once, before anything is touched.
 */
export const productionConfig = (options: { readonly init: boolean }) =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    const required = (name: string, value: Option.Option<string>): string => {
      if (Option.isNone(value) || value.value.trim() === "") {
        problems.push(`${name} is not set`)
        return ""
      }
      return value.value.trim()
    }
    const requiredSecret = (name: string, value: Option.Option<Redacted.Redacted<string>>) => {
      if (Option.isNone(value) || Redacted.value(value.value).trim() === "") problems.push(`${name} is not set`)
      return Option.getOrElse(value, () => Redacted.make(""))
    }
    const orgId = required("ORG_ID", yield* text("ORG_ID"))
    if (orgId !== "" && !/^[A-Za-z0-9_.-]+$/.test(orgId))
      problems.push(`ORG_ID "${orgId}" may contain only letters, digits, ".", "_" and "-"`)
    const kind = required("STORAGE", yield* text("STORAGE"))
    let storage: StorageSettings = { _tag: "dir", directory: "" }
    if (kind === "gcs") {
      storage = {
        _tag: "gcs",
        bucket: required("GCS_BUCKET_NAME", yield* text("GCS_BUCKET_NAME")),
        keyFileJson: yield* secret("GCS_KEYFILE_JSON"),
        apiEndpoint: yield* text("GCS_API_ENDPOINT")
      }
    } else if (kind === "s3") {
      storage = {
        _tag: "s3",
        bucket: required("BUCKET_NAME", yield* text("BUCKET_NAME")),
        endpoint: yield* text("AWS_ENDPOINT_URL_S3"),
        region: Option.getOrElse(yield* text("AWS_REGION"), () => "auto"),
        accessKeyId: requiredSecret("AWS_ACCESS_KEY_ID", yield* secret("AWS_ACCESS_KEY_ID")),
        secretAccessKey: requiredSecret("AWS_SECRET_ACCESS_KEY", yield* secret("AWS_SECRET_ACCESS_KEY"))
      }
    } else if (kind === "dir") {
      storage = { _tag: "dir", directory: required("STORAGE_DIR", yield* text("STORAGE_DIR")) }
    } else if (kind !== "") {
      problems.push(`STORAGE must be gcs, s3 or dir (got "${kind}")`)
    }
    const syncMode = Option.getOrElse(yield* text("SYNC_MODE"), () => "api").trim()
    if (syncMode !== "api" && syncMode !== "mount") problems.push(`SYNC_MODE must be api or mount (got "${syncMode}")`)
    const mountPoint = Option.getOrElse(yield* text("MOUNT_POINT"), () => "/mnt/bucket")
    const mountCommand = Option.getOrElse(yield* text("MOUNT_COMMAND"), () =>
      kind === "gcs"
        ? "gcsfuse --implicit-dirs {keyFileOption} {bucket} {mountPoint}"
        : kind === "s3"
          ? "tigrisfs {bucket} {mountPoint}"
          : ""
    )
    if (syncMode === "mount" && mountCommand.trim() === "")
      problems.push("MOUNT_COMMAND is not set (needed with SYNC_MODE=mount and STORAGE=dir)")
    const unmountCommand = Option.getOrElse(yield* text("UNMOUNT_COMMAND"), () => "fusermount3 -u {mountPoint}")
    const asOf = yield* text("AS_OF")
    if (Option.isSome(asOf) && parseIsoDate(asOf.value.trim()) === undefined) {
      problems.push(`AS_OF must be a calendar date written YYYY-MM-DD (got "${asOf.value}")`)
    }
    if (problems.length > 0) return yield* new ConfigError({ problems })
    const config: ProductionConfig = {
      orgId,
      storage,
      syncMode: syncMode === "mount" ? "mount" : "api",
      mount: { point: mountPoint, command: mountCommand, unmountCommand },
      dataDir: Option.getOrElse(yield* text("DATA_DIR"), () => "/app/data"),
      objectKey: Option.getOrElse(yield* text("OBJECT_KEY"), () => `org-data/${orgId}.db`),
      asOf: Option.map(asOf, (value) => value.trim()),
      init: options.init
    }
    return config
  })
