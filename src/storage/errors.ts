import { Schema } from "effect"
import { sentence } from "../domain/sentence.js"

/** The remote copy does not exist. */
export class ObjectNotFound extends Schema.TaggedError<ObjectNotFound>()("ObjectNotFound", { key: Schema.String }) {
  override get message(): string {
    return `The object ${this.key} does not exist in the store.`
  }
}

/** A conditional upload found another version than the one read: someone wrote a newer copy meanwhile. */
export class PreconditionFailed extends Schema.TaggedError<PreconditionFailed>()("PreconditionFailed", {
  key: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `The object ${this.key} changed since version ${this.expected} was read.`
  }
}

/** The store could not be reached or refused the operation. */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  key: Schema.String,
  reason: Schema.String,
  /** The HTTP status the store answered with, when it answered: decides whether a retry can help. */
  status: Schema.optional(Schema.UndefinedOr(Schema.Number))
}) {
  override get message(): string {
    return sentence(`Storage ${this.operation} of ${this.key} failed: ${this.reason}`)
  }
}

/**
 * A file on this machine could not be read or written (the working copy, its directory, the snapshot): a local
 * problem such as permissions or a full disk, not the store's. Exit code 6.
 */
export class LocalFileError extends Schema.TaggedError<LocalFileError>()("LocalFileError", {
  operation: Schema.String,
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return sentence(`Could not ${this.operation} the local file ${this.path}: ${this.reason}`)
  }
}

/** Node's file-system errors carry the path they concern (for a copy, the source's: a copy's side is unknown). */
const pathOf = (cause: unknown): string | undefined => {
  if (typeof cause !== "object" || cause === null) return undefined
  const { path } = cause as { readonly path?: unknown }
  return typeof path === "string" ? path : undefined
}

/**
 * Whether a failure concerns the local file of a transfer (the download's destination or the upload's source) rather
 * than the store: a local EACCES or ENOSPC must not be reported as a sync failure.
 */
export const failureOfTransfer =
  (operation: string, key: string, localPath: string) =>
  (cause: unknown): LocalFileError | StorageError => {
    const reason = cause instanceof Error ? cause.message : String(cause)
    return pathOf(cause) === localPath
      ? new LocalFileError({ operation: operation === "download" ? "write" : "read", path: localPath, reason })
      : new StorageError({ operation, key, reason })
  }
