import { Data, Predicate } from "effect"

/** The readable messages of an error chain, outermost first (SqlError wraps the driver's error in `cause`). */
export const describeCause = (cause: unknown): string => {
  const messages: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (!Predicate.hasProperty(current, "message")) {
      messages.push(String(current))
      break
    }
    const message = current.message
    if (typeof message === "string" && message !== "" && !messages.includes(message)) messages.push(message)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return messages.length > 0 ? messages.join(": ") : "unknown error"
}

/** A database operation failed; `operation` names it for the person reading the message. */
export class DatabaseError extends Data.TaggedError("DatabaseError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `Database operation "${this.operation}" failed: ${describeCause(this.cause)}.`
  }
}

/** The database file named on the command line or in the environment does not exist. */
/** `--db` names a directory (or something else that is not a file). */
export class DatabaseNotAFile extends Data.TaggedError("DatabaseNotAFile")<{ readonly path: string }> {
  override get message(): string {
    return `${this.path} is a directory, not a database file.`
  }
}

export class DatabaseFileMissing extends Data.TaggedError("DatabaseFileMissing")<{ readonly path: string }> {
  override get message(): string {
    return `The database file ${this.path} does not exist.`
  }
}
