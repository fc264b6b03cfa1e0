import { resolve, sep } from "node:path"
import { Config, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { businessDateProblem } from "../domain/dates.js"
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
      /** `S3_TIGRIS_CONSISTENT`; unset: sent to Tigris endpoints only. */
      readonly tigrisConsistent: Option.Option<boolean>
      /** `S3_PART_SIZE_MIB`: multipart upload part size (and the largest file sent in one PutObject). */
      readonly partSizeMib: number
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
  /** `--init --force`: create it even though conflict copies or other objects exist under its key. */
  readonly force: boolean
  /** The whole job's deadline (`JOB_TIMEOUT`): past it the job is stopped, exit 124. */
  readonly jobTimeout: Duration.Duration
  /** `FLEET_REPORT_KEY`, set by the fleet dispatcher: where the job leaves its summary (fleet/report.ts). */
  readonly fleetReportKey: Option.Option<string>
}

/**
 * 60 minutes: a first run at 3 M contacts takes about 10 minutes and a next night about 15 on the bench's 2-core
 * machine (BENCHMARKS.md), plus pulling and pushing an 8 GB database; four times that still ends a hung job the
 * same night.
 */
export const DEFAULT_JOB_TIMEOUT = Duration.minutes(60)

/**
 * An object key stays inside the store: relative, no `.` or `..` segment, no empty segment, no backslash or control
 * character (a directory store joins it to its root; `../../x` would read and overwrite a file outside it).
 */
export const objectKeyProblem = (key: string): string | undefined => {
  if (key === "" || key.startsWith("/")) return "must be a relative path such as org-data/acme.db"
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return "must not contain control characters or backslashes"
  if (key.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return 'must not contain empty, "." or ".." path segments'
  return undefined
}

/** Whether one directory is, or lies inside, the other: the working copy must never live among the store's objects. */
const overlaps = (a: string, b: string): boolean => {
  const [x, y] = [resolve(a), resolve(b)]
  const inside = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep)
  return inside(x, y) || inside(y, x)
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 }

/** `JOB_TIMEOUT`: a positive number of seconds, minutes or hours written `90s`, `45m` or `2h`. */
export const parseJobTimeout = (text: string): Duration.Duration | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([smh])$/.exec(text.trim())
  if (match === null) return undefined
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!]!
  return seconds > 0 ? Duration.seconds(seconds) : undefined
}

const text = (name: string) =>
  Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
const secret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>()))

/** Collects the problems of a configuration, to report them all at once. */
const problemCollector = () => {
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
  return { problems, required, requiredSecret }
}

/** `STORAGE` and the variables of that store (the job's, and the fleet dispatcher's when it reads the jobs' reports). */
const readStorage = (collector: ReturnType<typeof problemCollector>) =>
  Effect.gen(function* () {
    const { problems, required, requiredSecret } = collector
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
        secretAccessKey: requiredSecret("AWS_SECRET_ACCESS_KEY", yield* secret("AWS_SECRET_ACCESS_KEY")),
        tigrisConsistent: Option.flatMap(yield* text("S3_TIGRIS_CONSISTENT"), (value) => {
          const flag = value.trim().toLowerCase()
          if (flag === "true" || flag === "false") return Option.some(flag === "true")
          problems.push(`S3_TIGRIS_CONSISTENT must be true or false (got "${value}")`)
          return Option.none()
        }),
        partSizeMib: Option.match(yield* text("S3_PART_SIZE_MIB"), {
          onNone: () => 64,
          onSome: (value) => {
            const mib = Number(value.trim())
            if (Number.isInteger(mib) && mib >= 5 && mib <= 5120) return mib
            problems.push(`S3_PART_SIZE_MIB must be a whole number from 5 to 5120 (got "${value}")`)
            return 64
          }
        })
      }
    } else if (kind === "dir") {
      storage = { _tag: "dir", directory: required("STORAGE_DIR", yield* text("STORAGE_DIR")) }
    } else if (kind !== "") {
      problems.push(`STORAGE must be gcs, s3 or dir (got "${kind}")`)
    }
    return { kind, storage }
  })

/** The object store the environment describes, alone (`fleet run` reads the jobs' reports through it). */
export const storageConfig = Effect.gen(function* () {
  const collector = problemCollector()
  const { storage } = yield* readStorage(collector)
  if (collector.problems.length > 0) return yield* new ConfigError({ problems: collector.problems })
  return storage
})

/**
 * Reads the entrypoint's settings from the environment through Effect's Config (secrets stay `Redacted` and are never
 * logged) and reports every missing or invalid value at once, before anything is touched.
 */
export const productionConfig = (options: { readonly init: boolean; readonly force?: boolean }) =>
  Effect.gen(function* () {
    const collector = problemCollector()
    const { problems, required } = collector
    const orgId = required("ORG_ID", yield* text("ORG_ID"))
    if (orgId !== "" && !/^[A-Za-z0-9_.-]+$/.test(orgId))
      problems.push(`ORG_ID "${orgId}" may contain only letters, digits, ".", "_" and "-"`)
    const { kind, storage } = yield* readStorage(collector)
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
    // Fly.io runs no FUSE tools in the image and gives the job no locking across machines (PRODUCTION_DEPLOYMENT.md).
    if (syncMode === "mount" && Option.isSome(yield* text("FLY_MACHINE_ID")))
      problems.push("SYNC_MODE=mount is not supported on Fly.io machines; use SYNC_MODE=api")
    if (syncMode === "mount" && mountCommand.trim() === "")
      problems.push("MOUNT_COMMAND is not set (needed with SYNC_MODE=mount and STORAGE=dir)")
    const unmountCommand = Option.getOrElse(yield* text("UNMOUNT_COMMAND"), () => "fusermount3 -u {mountPoint}")
    const asOf = yield* text("AS_OF")
    const dataDir = Option.getOrElse(yield* text("DATA_DIR"), () => "/app/data")
    const storeDirectory = storage._tag === "dir" ? storage.directory : undefined
    if (storeDirectory !== undefined && storeDirectory !== "" && overlaps(dataDir, storeDirectory))
      problems.push(`DATA_DIR (${dataDir}) and STORAGE_DIR (${storeDirectory}) must not contain one another`)
    if (syncMode === "mount" && overlaps(dataDir, mountPoint))
      problems.push(`DATA_DIR (${dataDir}) and MOUNT_POINT (${mountPoint}) must not contain one another`)
    const objectKeyText = yield* text("OBJECT_KEY")
    const objectKey = Option.getOrElse(objectKeyText, () => `org-data/${orgId}.db`)
    const keyProblem = objectKeyProblem(objectKey)
    if (Option.isSome(objectKeyText) && keyProblem !== undefined)
      problems.push(`OBJECT_KEY "${objectKey}" ${keyProblem}`)
    const asOfProblem = Option.flatMap(asOf, (value) => Option.fromNullable(businessDateProblem(value.trim())))
    if (Option.isSome(asOfProblem)) problems.push(`AS_OF ${asOfProblem.value}`)
    const jobTimeout = Option.match(yield* text("JOB_TIMEOUT"), {
      onNone: () => DEFAULT_JOB_TIMEOUT,
      onSome: (value) => {
        const parsed = parseJobTimeout(value)
        if (parsed === undefined)
          problems.push(`JOB_TIMEOUT must be a duration such as 45m, 90s or 2h (got "${value}")`)
        return parsed ?? DEFAULT_JOB_TIMEOUT
      }
    })
    const fleetReportKey = Option.map(yield* text("FLEET_REPORT_KEY"), (value) => value.trim())
    const reportKeyProblem = Option.flatMap(fleetReportKey, (key) => Option.fromNullable(objectKeyProblem(key)))
    if (Option.isSome(reportKeyProblem)) problems.push(`FLEET_REPORT_KEY ${reportKeyProblem.value}`)
    if (problems.length > 0) return yield* new ConfigError({ problems })
    const config: ProductionConfig = {
      orgId,
      storage,
      syncMode: syncMode === "mount" ? "mount" : "api",
      mount: { point: mountPoint, command: mountCommand, unmountCommand },
      dataDir,
      objectKey,
      asOf: Option.map(asOf, (value) => value.trim()),
      init: options.init,
      force: options.force ?? false,
      jobTimeout,
      fleetReportKey
    }
    return config
  })

/** The job's configuration as a service: read from the environment by the live layer, given whole by a test. */
export class JobConfig extends Context.Tag("email-scheduler/JobConfig")<JobConfig, ProductionConfig>() {
  static readonly fromEnvironment = (options: { readonly init: boolean; readonly force?: boolean }) =>
    Layer.effect(JobConfig, productionConfig(options))
}
