import { Schema } from "effect"

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
  reason: Schema.String
}) {
  override get message(): string {
    return `Storage ${this.operation} of ${this.key} failed: ${this.reason}.`
  }
}
