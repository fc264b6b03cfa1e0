import { Data } from "effect"

/** A command-line value that is well-formed for the parser but not usable (e.g. an impossible --as-of date). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}
