import { Storage } from "@google-cloud/storage"
import { Effect, Predicate } from "effect"
import { failureOfTransfer, ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

export interface GcsStoreOptions {
  readonly bucket: string
  /** A service-account key file; undefined: Application Default Credentials. */
  readonly keyFilename: string | undefined
  /** A test server or emulator (no authentication is sent to a custom endpoint). */
  readonly apiEndpoint?: string
}

/** The HTTP status of a failed request: `code` on API errors, `status` / `response.status` on a resumable session's. */
const statusOf = (cause: unknown): number | undefined => {
  if (Predicate.hasProperty(cause, "code") && typeof cause.code === "number") return cause.code
  if (Predicate.hasProperty(cause, "status") && typeof cause.status === "number") return cause.status
  if (
    Predicate.hasProperty(cause, "response") &&
    Predicate.hasProperty(cause.response, "status") &&
    typeof cause.response.status === "number"
  )
    return cause.response.status
  return undefined
}

/**
 * Google Cloud Storage. Download reads the object's generation and downloads exactly that generation; upload is
 * conditional on it (`ifGenerationMatch`), or create-only (`ifGenerationMatch=0`), so a newer copy is never
 * overwritten (a 412 answer). Uploads are resumable (an interrupted chunk is resent, not the whole database; the
 * precondition holds for the session), and both directions are checked end to end with CRC32C: a corrupted transfer
 * fails instead of landing.
 */
export const gcsStore = (options: GcsStoreOptions) => {
  const storage = new Storage({
    ...(options.keyFilename === undefined ? {} : { keyFilename: options.keyFilename }),
    ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint, projectId: "test" })
  })
  const bucket = storage.bucket(options.bucket)

  return ObjectStore.of({
    description: `gcs:${options.bucket}`,
    download: (key, destination) =>
      Effect.tryPromise({
        try: async () => {
          const [metadata] = await bucket.file(key).getMetadata()
          const generation = String(metadata.generation)
          await bucket.file(key, { generation }).download({ destination, validation: "crc32c" })
          return { version: generation }
        },
        catch: (cause) =>
          statusOf(cause) === 404 ? new ObjectNotFound({ key }) : failureOfTransfer("download", key, destination)(cause)
      }),
    list: (prefix) =>
      Effect.tryPromise({
        try: async () => (await bucket.getFiles({ prefix }))[0].map((file) => file.name),
        catch: (cause) =>
          new StorageError({
            operation: "list",
            key: prefix,
            reason: cause instanceof Error ? cause.message : String(cause)
          })
      }),
    upload: (key: string, source: string, condition: UploadCondition) =>
      Effect.tryPromise({
        try: async () => {
          const [file] = await bucket.upload(source, {
            destination: key,
            resumable: true,
            validation: "crc32c",
            preconditionOpts: { ifGenerationMatch: condition._tag === "IfVersion" ? Number(condition.version) : 0 }
          })
          return { version: String(file.metadata.generation) }
        },
        catch: (cause) =>
          statusOf(cause) === 412
            ? new PreconditionFailed({ key, expected: condition._tag === "IfVersion" ? condition.version : "none" })
            : failureOfTransfer("upload", key, source)(cause)
      })
  })
}
