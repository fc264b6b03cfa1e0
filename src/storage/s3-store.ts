import { createReadStream, createWriteStream } from "node:fs"
import { stat } from "node:fs/promises"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3"
import { Effect, Layer, Redacted } from "effect"
import { ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

export interface S3StoreOptions {
  readonly bucket: string
  /** Tigris: https://fly.storage.tigris.dev; undefined for AWS S3. */
  readonly endpoint: string | undefined
  readonly region: string
  readonly accessKeyId: Redacted.Redacted<string>
  readonly secretAccessKey: Redacted.Redacted<string>
}

const statusOf = (cause: unknown): number | undefined =>
  cause instanceof S3ServiceException ? cause.$metadata.httpStatusCode : undefined

/**
 * S3 or an S3-compatible store (Tigris). The ETag read on download pins the version; uploads are conditional on it
 * (`If-Match`), or create-only (`If-None-Match: *`), so a newer copy is never overwritten (a 412 answer).
 */
export const s3Store = (options: S3StoreOptions) => {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    credentials: {
      accessKeyId: Redacted.value(options.accessKeyId),
      secretAccessKey: Redacted.value(options.secretAccessKey)
    },
    // Plain checksummed requests rather than aws-chunked streaming: what S3-compatible stores accept most widely.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
  const storageError = (operation: string, key: string) => (cause: unknown) =>
    new StorageError({ operation, key, reason: cause instanceof Error ? cause.message : String(cause) })

  return ObjectStore.of({
    description: `s3:${options.bucket}`,
    download: (key, destination) =>
      Effect.tryPromise({
        try: async () => {
          const response = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }))
          if (!(response.Body instanceof Readable) || response.ETag === undefined) throw new Error("no body or no ETag")
          await pipeline(response.Body, createWriteStream(destination))
          return { version: response.ETag }
        },
        catch: (cause) => (statusOf(cause) === 404 ? new ObjectNotFound({ key }) : storageError("download", key)(cause))
      }),
    upload: (key: string, source: string, condition: UploadCondition) =>
      Effect.tryPromise({
        try: async () => {
          const { size } = await stat(source)
          const response = await client.send(
            new PutObjectCommand({
              Bucket: options.bucket,
              Key: key,
              Body: createReadStream(source),
              ContentLength: size,
              ...(condition._tag === "IfVersion" ? { IfMatch: condition.version } : { IfNoneMatch: "*" })
            })
          )
          return { version: response.ETag ?? "" }
        },
        catch: (cause) =>
          statusOf(cause) === 412
            ? new PreconditionFailed({ key, expected: condition._tag === "IfVersion" ? condition.version : "none" })
            : storageError("upload", key)(cause)
      })
  })
}

export const S3StoreLive = (options: S3StoreOptions) => Layer.sync(ObjectStore, () => s3Store(options))
