import { Either, ParseResult, Predicate, Schema } from "effect"

/** A row that could not be decoded: reported and skipped, never an exception (spec §3.1). */
/** `\u0000` for a NUL byte and so on: a value from a broken row never reaches a terminal or a log line raw. */
export const printable = (text: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)

export class MalformedRow extends Schema.Class<MalformedRow>("MalformedRow")({
  table: Schema.String,
  id: Schema.NullOr(Schema.Union(Schema.Number, Schema.String)),
  problem: Schema.String
}) {
  /** One line, whatever the row held: control characters (NUL, escape sequences, newlines) are shown escaped. */
  get message(): string {
    return printable(`${this.table} row ${this.id ?? "?"} is malformed: ${this.problem}`)
  }
}

export interface Decoded<A> {
  readonly rows: ReadonlyArray<A>
  readonly malformed: ReadonlyArray<MalformedRow>
}

const describeIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")

/** Decodes each row on its own, so one bad row is reported without losing the others. */
export const decodeEach = <A, I>(table: string, schema: Schema.Schema<A, I>, idColumn = "id") => {
  const decode = Schema.decodeUnknownEither(schema)
  return (rows: ReadonlyArray<unknown>): Decoded<A> => {
    const decoded: Array<A> = []
    const malformed: Array<MalformedRow> = []
    for (const row of rows) {
      Either.match(decode(row), {
        onRight: (value) => decoded.push(value),
        onLeft: (error) =>
          malformed.push(new MalformedRow({ table, id: rowId(row, idColumn), problem: describeIssues(error) }))
      })
    }
    return { rows: decoded, malformed }
  }
}

const rowId = (row: unknown, idColumn: string): number | string | null => {
  if (!Predicate.hasProperty(row, idColumn)) return null
  const id = row[idColumn]
  return typeof id === "number" || typeof id === "string" ? id : null
}
