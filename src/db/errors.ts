import { Data, Predicate } from "effect"
import { sentence } from "../domain/sentence.js"

/** SQLite's result codes that have a plain cause a person can act on. */
const PLAIN_CAUSES: Readonly<Record<string, string>> = {
  SQLITE_FULL: "the disk is full",
  SQLITE_IOERR_WRITE: "the disk refused a write",
  SQLITE_READONLY: "the database file or its directory is read-only",
  SQLITE_CORRUPT: "the database file is damaged",
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CANTOPEN: "the file cannot be opened",
  SQLITE_BUSY: "another connection holds the database's write lock"
}

/** SQLite's result code somewhere in an error chain (SqlError wraps the driver's error in `cause`). */
export const sqliteCodeIn = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (
      Predicate.hasProperty(current, "code") &&
      typeof current.code === "string" &&
      current.code.startsWith("SQLITE_")
    )
      return current.code
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return undefined
}

/** The file itself is damaged: nothing more may be written to it (not even a failed checkpoint). */
export const isDamagedFile = (cause: unknown): boolean => {
  const code = sqliteCodeIn(cause)
  return code !== undefined && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB")
}

/**
 * The readable messages of an error chain, outermost first (SqlError wraps the driver's error in `cause`), led by the
 * plain cause when SQLite's code has one ("the disk is full (SQLITE_FULL): …").
 */
export const describeCause = (cause: unknown): string => {
  const messages: Array<string> = []
  const code = sqliteCodeIn(cause)
  const known = code === undefined ? undefined : (PLAIN_CAUSES[code] ?? PLAIN_CAUSES[code.replace(/_[A-Z]+$/, "")])
  const plain = known === undefined ? undefined : `${known} (${code})`
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
  const described = messages.length > 0 ? messages.join(": ") : "unknown error"
  return plain === undefined ? described : `${plain}: ${described}`
}

/** A database operation failed; `operation` names it for the person reading the message. */
export class DatabaseError extends Data.TaggedError("DatabaseError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message(): string {
    return sentence(`Database operation "${this.operation}" failed: ${describeCause(this.cause)}`)
  }
}

/** `--db` names a directory (or something else that is not a file). */
export class DatabaseNotAFile extends Data.TaggedError("DatabaseNotAFile")<{ readonly path: string }> {
  override get message(): string {
    return `${this.path} is a directory, not a database file.`
  }
}

/** The database file named on the command line or in the environment does not exist. */
export class DatabaseFileMissing extends Data.TaggedError("DatabaseFileMissing")<{ readonly path: string }> {
  override get message(): string {
    return `The database file ${this.path} does not exist.`
  }
}
