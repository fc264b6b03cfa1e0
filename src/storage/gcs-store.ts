import { Storage } from "@google-cloud/storage"
import { Effect, Layer, Predicate } from "effect"
import { ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

export interface GcsStoreOptions {
  readonly bucket: string
  /** A service-account key file; undefined: Application Default Credentials. */
  readonly keyFilename: string | undefined
  /** A test server or emulator (no authentication is sent to a custom endpoint). */
  readonly apiEndpoint?: string
}

const statusOf = (cause: unknown): number | undefined =>
  Predicate.hasProperty(cause, "code") && typeof cause.code === "number" ? cause.code : undefined

/**
 * Google Cloud Storage. Download reads the object's generation and downloads exactly that generation; upload is
 * conditional on it (`ifGenerationMatch`), or create-only (`ifGenerationMatch=0`), so a newer copy is never
 * overwritten (a 412 answer).
 */
export const gcsStore = (options: GcsStoreOptions) => {
  const storage = new Storage({
    ...(options.keyFilename === undefined ? {} : { keyFilename: options.keyFilename }),
    ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint, projectId: "test" })
  })
  const bucket = storage.bucket(options.bucket)
  const failure = (operation: string, key: string) => (cause: unknown) =>
    new StorageError({ operation, key, reason: cause instanceof Error ? cause.message : String(cause) })

  return ObjectStore.of({
    description: `gcs:${options.bucket}`,
    download: (key, destination) =>
      Effect.tryPromise({
        try: async () => {
          const [metadata] = await bucket.file(key).getMetadata()
          const generation = String(metadata.generation)
          await bucket.file(key, { generation }).download({ destination, validation: false })
          return { version: generation }
        },
        catch: (cause) => (statusOf(cause) === 404 ? new ObjectNotFound({ key }) : failure("download", key)(cause))
      }),
    upload: (key: string, source: string, condition: UploadCondition) =>
      Effect.tryPromise({
        try: async () => {
          const [file] = await bucket.upload(source, {
            destination: key,
            resumable: false,
            validation: false,
            preconditionOpts: { ifGenerationMatch: condition._tag === "IfVersion" ? Number(condition.version) : 0 }
          })
          return { version: String(file.metadata.generation) }
        },
        catch: (cause) =>
          statusOf(cause) === 412
            ? new PreconditionFailed({ key, expected: condition._tag === "IfVersion" ? condition.version : "none" })
            : failure("upload", key)(cause)
      })
  })
}

export const GcsStoreLive = (options: GcsStoreOptions) => Layer.sync(ObjectStore, () => gcsStore(options))
