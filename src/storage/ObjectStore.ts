import { Context, type Effect } from "effect"
import type { LocalFileError, ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"

/** An upload that only succeeds over the version read earlier, or only when no object exists yet. */
export type UploadCondition = { readonly _tag: "IfVersion"; readonly version: string } | { readonly _tag: "IfAbsent" }

/**
 * The port to an object store holding the organization's database (GCS, S3/Tigris or a local directory). Download
 * pins the version it read; upload is conditional on it, so a newer copy is never overwritten.
 */
export class ObjectStore extends Context.Tag("email-scheduler/ObjectStore")<
  ObjectStore,
  {
    /** For logs, e.g. `dir:/srv/bucket` or `gcs:my-bucket`. */
    readonly description: string
    readonly download: (
      key: string,
      destination: string
    ) => Effect.Effect<{ readonly version: string }, ObjectNotFound | StorageError | LocalFileError>
    /** The keys that start with `prefix` (a key's conflict copies are `<key>.conflict-<runId>`). */
    readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<string>, StorageError>
    readonly upload: (
      key: string,
      source: string,
      condition: UploadCondition
    ) => Effect.Effect<{ readonly version: string }, PreconditionFailed | StorageError | LocalFileError>
  }
>() {}
