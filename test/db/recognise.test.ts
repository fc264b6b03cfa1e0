import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import BetterSqlite3 from "better-sqlite3"
import { assert, describe, it } from "vitest"
import { exitCodeOf } from "../../src/production/errors.js"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"

const dir = useTempDir("recognise")

/** Another application's database: it happens to have a contacts table, but not ours. */
const foreignDatabase = (name: string) => {
  const path = join(dir, name)
  const db = new BetterSqlite3(path)
  db.exec(`CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, phone TEXT);
           CREATE TABLE orders (id INTEGER PRIMARY KEY, contact_id INTEGER, total REAL);
           INSERT INTO contacts VALUES (1, 'Ada', '555-0100');
           INSERT INTO orders VALUES (1, 1, 42.5);`)
  db.close()
  return path
}

const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("email-scheduler:"))

describe("another application's database is never migrated (issue 15)", () => {
  it("migrate and run refuse it with one sentence and leave it byte-identical (no WAL switch either)", () => {
    const path = foreignDatabase("foreign.sqlite")
    const before = readFileSync(path)
    for (const args of [
      ["migrate", "--db", path],
      ["run", "--db", path, "--as-of", "2026-12-01"]
    ]) {
      const result = runCli(args)
      assert.strictEqual(result.code, 1, result.stderr)
      assert.deepStrictEqual(errorLines(result.stderr), [
        "email-scheduler: This is not an email-scheduler database (its tables are contacts, orders; neither ours nor a contacts and email_schedules pair of the program it replaces), so it was left unchanged."
      ])
      assert.isTrue(readFileSync(path).equals(before), `${args[0]} left the file byte-identical`)
    }
    assert.strictEqual(exitCodeOf("UnrecognisedDatabase"), 5, "the production job refuses it as an integrity failure")
  })

  it("an empty file is a new database: migrate creates the schema", () => {
    const path = join(dir, "empty.sqlite")
    writeFileSync(path, "")
    const result = runCli(["migrate", "--db", path])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, "applied 1_base_schema")
  })
})
