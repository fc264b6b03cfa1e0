import { resolve, sep } from "node:path"
import { Config, ConfigError as ConfigErrors, Context, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
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
 * 60 minutes: a first run or a next night at 3 M contacts takes about 8 minutes on the bench's 2-core machine
 * (BENCHMARKS.md), plus pulling and pushing an 8 GB database; the margin allows a slower machine and still ends a
 * hung job the same night.
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

/** A configuration problem in our words (the variable's name and what is wrong), as Config's own error. */
const problem = (message: string) => ConfigErrors.InvalidData([], message)

/** An optional variable as given (an empty variable counts as unset where a value is needed). */
const optional = (name: string) => Config.option(Config.string(name))

/** An optional variable read through `parse`; `fallback` when unset. */
const parsed = <A>(name: string, fallback: A, parse: (raw: string) => Either.Either<A, string>) =>
  optional(name).pipe(
    Config.mapOrFail((value) =>
      Option.match(value, {
        onNone: () => Either.right(fallback),
        onSome: (raw) => Either.mapLeft(parse(raw), problem)
      })
    )
  )

/** A variable that must be set to something other than blanks: its trimmed text. */
const required = (name: string) =>
  parsed(name, "", (raw) => Either.right(raw.trim())).pipe(
    Config.mapOrFail((value) => (value === "" ? Either.left(problem(`${name} is not set`)) : Either.right(value)))
  )

const requiredSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.mapOrFail((value) =>
      Option.isSome(value) && Redacted.value(value.value).trim() !== ""
        ? Either.right(value.value)
        : Either.left(problem(`${name} is not set`))
    )
  )

/** The variables of the store `STORAGE` names (the job's, and the fleet dispatcher's when it reads the reports). */
const storageFor = (kind: string): Config.Config<StorageSettings> => {
  switch (kind) {
    case "gcs":
      return Config.all({
        _tag: Config.succeed("gcs" as const),
        bucket: required("GCS_BUCKET_NAME"),
        keyFileJson: Config.option(Config.redacted("GCS_KEYFILE_JSON")),
        apiEndpoint: optional("GCS_API_ENDPOINT")
      })
    case "s3":
      return Config.all({
        _tag: Config.succeed("s3" as const),
        bucket: required("BUCKET_NAME"),
        endpoint: optional("AWS_ENDPOINT_URL_S3"),
        region: Config.withDefault(Config.string("AWS_REGION"), "auto"),
        accessKeyId: requiredSecret("AWS_ACCESS_KEY_ID"),
        secretAccessKey: requiredSecret("AWS_SECRET_ACCESS_KEY"),
        tigrisConsistent: parsed("S3_TIGRIS_CONSISTENT", Option.none<boolean>(), (raw) => {
          const flag = raw.trim().toLowerCase()
          return flag === "true" || flag === "false"
            ? Either.right(Option.some(flag === "true"))
            : Either.left(`S3_TIGRIS_CONSISTENT must be true or false (got "${raw}")`)
        }),
        partSizeMib: parsed("S3_PART_SIZE_MIB", 64, (raw) => {
          const mib = Number(raw.trim())
          return Number.isInteger(mib) && mib >= 5 && mib <= 5120
            ? Either.right(mib)
            : Either.left(`S3_PART_SIZE_MIB must be a whole number from 5 to 5120 (got "${raw}")`)
        })
      })
    case "dir":
      return Config.all({ _tag: Config.succeed("dir" as const), directory: required("STORAGE_DIR") })
    case "":
      return Config.fail("STORAGE is not set")
    default:
      return Config.fail(`STORAGE must be gcs, s3 or dir (got "${kind}")`)
  }
}

/** Every problem a failed configuration holds, in the order of its variables (Config collects them all). */
const problemsOf = (error: ConfigErrors.ConfigError): Array<string> =>
  ConfigErrors.reduceWithContext(error, undefined, {
    andCase: (_, left: Array<string>, right: Array<string>) => [...left, ...right],
    // `a or else b`: what b, the last alternative, says.
    orCase: (_, _left: Array<string>, right: Array<string>) => right,
    invalidDataCase: (_, _path, message) => [message],
    missingDataCase: (_, _path, message) => [message],
    sourceUnavailableCase: (_, _path, message) => [message],
    unsupportedCase: (_, _path, message) => [message]
  })

const readConfig = <A>(config: Config.Config<A>) =>
  Effect.mapError(config, (error) => new ConfigError({ problems: problemsOf(error) }))

const storageKind = Effect.map(
  Effect.orElseSucceed(optional("STORAGE"), () => Option.none<string>()),
  (kind) => Option.getOrElse(kind, () => "").trim()
)

/** The object store the environment describes, alone (`fleet run` reads the jobs' reports through it). */
export const storageConfig = Effect.flatMap(storageKind, (kind) => readConfig(storageFor(kind)))

/**
 * Reads the entrypoint's settings from the environment through Effect's Config (secrets stay `Redacted` and are never
 * logged): every missing or invalid variable is reported at once, then the checks across variables, before anything
 * is touched.
 */
export const productionConfig = (options: { readonly init: boolean; readonly force?: boolean }) =>
  Effect.gen(function* () {
    const kind = yield* storageKind
    const read = yield* readConfig(
      Config.all({
        orgId: required("ORG_ID").pipe(
          Config.mapOrFail((orgId) =>
            /^[A-Za-z0-9_.-]+$/.test(orgId)
              ? Either.right(orgId)
              : Either.left(problem(`ORG_ID "${orgId}" may contain only letters, digits, ".", "_" and "-"`))
          )
        ),
        storage: storageFor(kind),
        syncMode: parsed<"api" | "mount">("SYNC_MODE", "api", (raw) => {
          const mode = raw.trim()
          return mode === "api" || mode === "mount"
            ? Either.right(mode)
            : Either.left(`SYNC_MODE must be api or mount (got "${mode}")`)
        }),
        mountPoint: Config.withDefault(Config.string("MOUNT_POINT"), "/mnt/bucket"),
        mountCommand: optional("MOUNT_COMMAND"),
        unmountCommand: Config.withDefault(Config.string("UNMOUNT_COMMAND"), "fusermount3 -u {mountPoint}"),
        onFly: Config.map(optional("FLY_MACHINE_ID"), Option.isSome),
        dataDir: Config.withDefault(Config.string("DATA_DIR"), "/app/data"),
        objectKey: parsed("OBJECT_KEY", Option.none<string>(), (key) => {
          const keyProblem = objectKeyProblem(key)
          return keyProblem === undefined
            ? Either.right(Option.some(key))
            : Either.left(`OBJECT_KEY "${key}" ${keyProblem}`)
        }),
        asOf: parsed("AS_OF", Option.none<string>(), (raw) => {
          const dateProblem = businessDateProblem(raw.trim())
          return dateProblem === undefined ? Either.right(Option.some(raw.trim())) : Either.left(`AS_OF ${dateProblem}`)
        }),
        jobTimeout: parsed("JOB_TIMEOUT", DEFAULT_JOB_TIMEOUT, (raw) =>
          Either.fromNullable(
            parseJobTimeout(raw),
            () => `JOB_TIMEOUT must be a duration such as 45m, 90s or 2h (got "${raw}")`
          )
        ),
        fleetReportKey: parsed("FLEET_REPORT_KEY", Option.none<string>(), (raw) => {
          const key = raw.trim()
          const keyProblem = objectKeyProblem(key)
          return keyProblem === undefined
            ? Either.right(Option.some(key))
            : Either.left(`FLEET_REPORT_KEY ${keyProblem}`)
        })
      })
    )
    // The checks across variables, once each variable is valid on its own.
    const problems: Array<string> = []
    const mountCommand = Option.getOrElse(read.mountCommand, () =>
      kind === "gcs"
        ? "gcsfuse --implicit-dirs {keyFileOption} {bucket} {mountPoint}"
        : kind === "s3"
          ? "tigrisfs {bucket} {mountPoint}"
          : ""
    )
    // Fly.io runs no FUSE tools in the image and gives the job no locking across machines (PRODUCTION_DEPLOYMENT.md).
    if (read.syncMode === "mount" && read.onFly)
      problems.push("SYNC_MODE=mount is not supported on Fly.io machines; use SYNC_MODE=api")
    if (read.syncMode === "mount" && mountCommand.trim() === "")
      problems.push("MOUNT_COMMAND is not set (needed with SYNC_MODE=mount and STORAGE=dir)")
    const storeDirectory = read.storage._tag === "dir" ? read.storage.directory : undefined
    if (storeDirectory !== undefined && overlaps(read.dataDir, storeDirectory))
      problems.push(`DATA_DIR (${read.dataDir}) and STORAGE_DIR (${storeDirectory}) must not contain one another`)
    if (read.syncMode === "mount" && overlaps(read.dataDir, read.mountPoint))
      problems.push(`DATA_DIR (${read.dataDir}) and MOUNT_POINT (${read.mountPoint}) must not contain one another`)
    if (problems.length > 0) return yield* new ConfigError({ problems })
    const config: ProductionConfig = {
      orgId: read.orgId,
      storage: read.storage,
      syncMode: read.syncMode,
      mount: { point: read.mountPoint, command: mountCommand, unmountCommand: read.unmountCommand },
      dataDir: read.dataDir,
      objectKey: Option.getOrElse(read.objectKey, () => `org-data/${read.orgId}.db`),
      asOf: read.asOf,
      init: options.init,
      force: options.force ?? false,
      jobTimeout: read.jobTimeout,
      fleetReportKey: read.fleetReportKey
    }
    return config
  })

/** The job's configuration as a service: read from the environment by the live layer, given whole by a test. */
export class JobConfig extends Context.Tag("email-scheduler/JobConfig")<JobConfig, ProductionConfig>() {
  static readonly fromEnvironment = (options: { readonly init: boolean; readonly force?: boolean }) =>
    Layer.effect(JobConfig, productionConfig(options))
}
