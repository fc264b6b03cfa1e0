import { createWriteStream } from "node:fs"
import { open, readFile, stat } from "node:fs/promises"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { Effect, Redacted, Schedule } from "effect"
import { failureOfTransfer, type LocalFileError, ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

export interface S3StoreOptions {
  readonly bucket: string
  /** Tigris: https://fly.storage.tigris.dev; undefined for AWS S3. */
  readonly endpoint: string | undefined
  readonly region: string
  readonly accessKeyId: Redacted.Redacted<string>
  readonly secretAccessKey: Redacted.Redacted<string>
  /**
   * Send `X-Tigris-Consistent: true` on every request: on a global Tigris bucket, reads and conditional writes are
   * strongly consistent only within a region otherwise. Default: when the endpoint is Tigris's.
   */
  readonly tigrisConsistent?: boolean
  /** Files above this size go up in parts of this size (multipart upload); at least 5 MiB. Default 64 MiB. */
  readonly partSize?: number
}

export const DEFAULT_PART_SIZE = 64 * 1024 * 1024
/** Parts uploaded at once: memory is partSize × this. */
const PART_CONCURRENCY = 2

/** Tigris's endpoints (fly.storage.tigris.dev, t3.storage.dev): the consistency header is sent to them by default. */
export const isTigrisEndpoint = (endpoint: string | undefined): boolean => {
  if (endpoint === undefined) return false
  try {
    const host = new URL(endpoint).hostname
    return host.endsWith(".tigris.dev") || host.endsWith(".storage.dev")
  } catch {
    return false
  }
}

const statusOf = (cause: unknown): number | undefined =>
  cause instanceof S3ServiceException ? cause.$metadata.httpStatusCode : undefined

const conditionHeaders = (condition: UploadCondition) =>
  condition._tag === "IfVersion" ? { IfMatch: condition.version } : { IfNoneMatch: "*" }

/** Transient: the network, throttling or the server's own trouble; never a refusal of the request itself. */
const isTransient = (error: StorageError | LocalFileError | PreconditionFailed) =>
  error._tag === "StorageError" && (error.status === undefined || error.status === 429 || error.status >= 500)

/**
 * S3 or an S3-compatible store (Tigris). The ETag read on download pins the version; uploads are conditional on it
 * (`If-Match`), or create-only (`If-None-Match: *`), so a newer copy is never overwritten (a 412 answer). A file up to
 * one part goes in one PutObject; a larger one (S3 refuses a single PUT above 5 GiB) in a multipart upload whose
 * completion carries the condition, each part retried on its own; a failed or interrupted upload is aborted. Bodies
 * are buffers, never streams, so the SDK can retry every request.
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
  if (options.tigrisConsistent ?? isTigrisEndpoint(options.endpoint)) {
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> }
        if (request.headers !== undefined) request.headers["x-tigris-consistent"] = "true"
        return next(args)
      },
      { step: "build", name: "tigrisConsistent" }
    )
  }
  const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024)
  const storageError = (operation: string, key: string) => (cause: unknown) =>
    new StorageError({
      operation,
      key,
      reason: cause instanceof Error ? cause.message : String(cause),
      status: statusOf(cause)
    })
  const send = <A>(operation: string, key: string, request: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({
      try: request,
      catch: (cause) =>
        statusOf(cause) === 412 ? new PreconditionFailed({ key, expected: "" }) : storageError(operation, key)(cause)
    })
  const withCondition = (key: string, condition: UploadCondition) =>
    Effect.mapError((error: PreconditionFailed | StorageError | LocalFileError) =>
      error._tag === "PreconditionFailed"
        ? new PreconditionFailed({ key, expected: condition._tag === "IfVersion" ? condition.version : "none" })
        : error
    )

  const putWhole = (key: string, source: string, condition: UploadCondition) =>
    Effect.tryPromise({ try: () => readFile(source), catch: failureOfTransfer("upload", key, source) }).pipe(
      Effect.flatMap((body) =>
        send("upload", key, (abortSignal) =>
          client.send(
            new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ...conditionHeaders(condition) }),
            { abortSignal }
          )
        )
      ),
      Effect.map((response) => ({ version: response.ETag ?? "" }))
    )

  const readPart = (source: string, key: string, offset: number, length: number) =>
    Effect.tryPromise({
      try: async () => {
        const file = await open(source, "r")
        try {
          const buffer = Buffer.allocUnsafe(length)
          const { bytesRead } = await file.read(buffer, 0, length, offset)
          if (bytesRead !== length) throw new Error(`read ${bytesRead} of ${length} bytes at ${offset}`)
          return buffer
        } finally {
          await file.close()
        }
      },
      catch: failureOfTransfer("upload", key, source)
    })

  const putInParts = (key: string, source: string, size: number, condition: UploadCondition) =>
    Effect.gen(function* () {
      const created = yield* send("upload", key, (abortSignal) =>
        client.send(new CreateMultipartUploadCommand({ Bucket: options.bucket, Key: key }), { abortSignal })
      )
      const uploadId = created.UploadId ?? ""
      const abort = send("abort upload", key, () =>
        client.send(new AbortMultipartUploadCommand({ Bucket: options.bucket, Key: key, UploadId: uploadId }))
      ).pipe(Effect.ignore)
      const numbers = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => i + 1)
      const upload = Effect.gen(function* () {
        const parts = yield* Effect.forEach(
          numbers,
          (partNumber) => {
            const offset = (partNumber - 1) * partSize
            return readPart(source, key, offset, Math.min(partSize, size - offset)).pipe(
              Effect.flatMap((body) =>
                send("upload part", key, (abortSignal) =>
                  client.send(
                    new UploadPartCommand({
                      Bucket: options.bucket,
                      Key: key,
                      UploadId: uploadId,
                      PartNumber: partNumber,
                      Body: body
                    }),
                    { abortSignal }
                  )
                )
              ),
              Effect.retry({ while: isTransient, schedule: Schedule.exponential("250 millis"), times: 4 }),
              Effect.map((response) => ({ ETag: response.ETag ?? "", PartNumber: partNumber }))
            )
          },
          { concurrency: PART_CONCURRENCY }
        )
        const completed = yield* send("upload", key, (abortSignal) =>
          client.send(
            new CompleteMultipartUploadCommand({
              Bucket: options.bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
              ...conditionHeaders(condition)
            }),
            { abortSignal }
          )
        )
        return { version: completed.ETag ?? "" }
      })
      // A refused, failed or interrupted upload leaves no parts behind (they are billed until aborted).
      return yield* upload.pipe(Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : abort)))
    })

  const store = ObjectStore.of({
    description: `s3:${options.bucket}`,
    download: (key, destination) =>
      Effect.tryPromise({
        try: async (abortSignal) => {
          const response = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
            abortSignal
          })
          if (!(response.Body instanceof Readable) || response.ETag === undefined) throw new Error("no body or no ETag")
          await pipeline(response.Body, createWriteStream(destination))
          return { version: response.ETag }
        },
        catch: (cause) =>
          statusOf(cause) === 404 ? new ObjectNotFound({ key }) : failureOfTransfer("download", key, destination)(cause)
      }),
    list: (prefix) =>
      Effect.tryPromise({
        try: async (abortSignal) => {
          const keys: Array<string> = []
          let token: string | undefined
          do {
            const page = await client.send(
              new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, ContinuationToken: token }),
              { abortSignal }
            )
            for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key)
            token = page.IsTruncated === true ? page.NextContinuationToken : undefined
          } while (token !== undefined)
          return keys
        },
        catch: storageError("list", prefix)
      }),
    upload: (key: string, source: string, condition: UploadCondition) =>
      Effect.tryPromise({ try: () => stat(source), catch: failureOfTransfer("upload", key, source) }).pipe(
        Effect.flatMap(({ size }) =>
          size <= partSize ? putWhole(key, source, condition) : putInParts(key, source, size, condition)
        ),
        withCondition(key, condition)
      )
  })
  /** Releases the SDK client's sockets; the store is unusable afterwards. */
  return Object.assign(store, { close: () => client.destroy() })
}

/** The S3 store for the lifetime of a scope: its client is closed when the scope closes. */
export const s3StoreScoped = (options: S3StoreOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => s3Store(options)),
    (store) => Effect.sync(store.close)
  )
