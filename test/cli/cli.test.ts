import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import BetterSqlite3 from "better-sqlite3"
import { assert, describe, it } from "vitest"
import { SETTINGS_COMMANDS } from "../../src/cli/Cli.js"
import { RENDERED_HELP_COMMANDS } from "../../src/cli/rendered-help.js"
import { flagName, SETTING_NAMES } from "../../src/settings/definitions.js"
import { BIN, runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { buildPredecessorDatabase, buildPredecessorShapedDatabase } from "../support/predecessor.js"

const dir = useTempDir("cli")
const path = (name: string) => join(dir, name)
/** Only the stderr lines our program writes (logs are logfmt lines starting with `timestamp=`). */
const messages = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("email-scheduler:"))

describe("email-scheduler CLI (real child processes)", () => {
  it("--help (and run's, explain's, preview's) prints the help the build rendered, exactly as the program prints it", () => {
    assert.deepStrictEqual([...RENDERED_HELP_COMMANDS], [...SETTINGS_COMMANDS])
    for (const command of [[], ...RENDERED_HELP_COMMANDS.map((name) => [name])]) {
      const fast = runCli([...command, "--help"])
      const full = spawnSync(process.execPath, [BIN.replace(/bin\.js$/, "main.js"), ...command, "--help"], {
        encoding: "utf8"
      })
      assert.strictEqual(fast.code, 0)
      assert.isAbove(fast.stdout.length, 1000)
      assert.strictEqual(fast.stdout, full.stdout, `${command.join(" ")} --help`)
    }
  })

  it("prints help for the program and every command, with every setting flag on run", () => {
    for (const command of [[], ["run"], ["explain"], ["migrate"], ["generate"], ["demo"]]) {
      const result = runCli([...command, "--help"])
      assert.strictEqual(result.code, 0, `${command.join(" ")} --help`)
      assert.include(result.stdout, "USAGE")
    }
    const runHelp = runCli(["run", "--help"]).stdout
    for (const name of SETTING_NAMES) assert.include(runHelp, `--${flagName(name)}`)
    for (const flag of ["--db", "--as-of", "--dry-run", "--json"]) assert.include(runHelp, flag)
  })

  it("generates, migrates and runs a database; --json prints one JSON document on stdout", () => {
    const db = path("org.sqlite")
    const generated = runCli(["generate", "--db", db, "--contacts", "2000", "--seed", "3", "--as-of", "2026-11-29"])
    assert.strictEqual(generated.code, 0, generated.stderr)
    assert.match(generated.stdout, /2,000 contacts/)
    assert.strictEqual(runCli(["migrate", "--db", db]).code, 0)
    const run = runCli(["run", "--db", db, "--as-of", "2026-12-01", "--json", "--max-emails-per-period", "4"], {
      SCHEDULER_PRE_EXCLUSION_BUFFER_DAYS: "45"
    })
    assert.strictEqual(run.code, 0, run.stderr)
    const report = JSON.parse(run.stdout)
    assert.strictEqual(report.asOf, "2026-12-01")
    assert.strictEqual(report.contacts.total, 2000)
    assert.strictEqual(report.settings.max_emails_per_period, 4)
    assert.strictEqual(report.settingSources.max_emails_per_period, "flag")
    assert.strictEqual(report.settings.pre_exclusion_buffer_days, 45)
    assert.strictEqual(report.settingSources.pre_exclusion_buffer_days, "env")
    assert.strictEqual(report.profile.profile, "small")
    assert.match(report.runId, /^run_\d{8}T\d{6}Z_[0-9a-f]{8}$/)
    assert.isAbove(report.plan.preScheduled, 1000)
    assert.strictEqual(report.writes.inserted, report.plan.rows)
    const again = JSON.parse(
      runCli(["run", "--db", db, "--as-of", "2026-12-01", "--json"], {
        SCHEDULER_PRE_EXCLUSION_BUFFER_DAYS: "45"
      }).stdout
    )
    assert.strictEqual(again.writes.unchanged, again.plan.rows, "a re-run with the same settings changes nothing")
    assert.deepStrictEqual(
      readdirSync(dir).filter((f) => f.startsWith("org.sqlite")),
      ["org.sqlite"],
      "no -wal/-shm left"
    )
  })

  it("explains one contact in words and in JSON; an unknown contact is one sentence and exit 2", () => {
    const db = path("org.sqlite")
    const text = runCli(["explain", "--db", db, "--contact", "1", "--as-of", "2026-12-01"])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /^Contact 1 as of 2026-12-01/)
    assert.include(text.stdout, "Emails considered:")
    const json = JSON.parse(runCli(["explain", "--db", db, "--contact", "1", "--as-of", "2026-12-01", "--json"]).stdout)
    assert.strictEqual(json.contact.row.id, 1)
    const unknown = runCli(["explain", "--db", db, "--contact", "999999"])
    assert.strictEqual(unknown.code, 2)
    assert.deepStrictEqual(messages(unknown.stderr), ["email-scheduler: Contact 999999 is not in the contacts table."])
  })

  it("an invalid setting prints one sentence naming every problem, exits 2 and writes nothing", () => {
    const db = path("untouched.sqlite")
    buildPredecessorDatabase(db)
    const before = readFileSync(db)
    const result = runCli(["run", "--db", db, "--max-emails-per-period", "0", "--timezone", "Mars/Olympus"], {
      SCHEDULER_AEP_DAY: "31"
    })
    assert.strictEqual(result.code, 2)
    const lines = messages(result.stderr)
    assert.strictEqual(lines.length, 1, result.stderr)
    assert.match(
      lines[0]!,
      /^email-scheduler: Invalid settings: .*timezone.*aep_month and aep_day.*max_emails_per_period.*\.$/
    )
    assert.isTrue(readFileSync(db).equals(before), "the database file is byte-identical")
    assert.isFalse(existsSync(`${db}-wal`))
  })

  it("a missing database file is one sentence and exit 1; nothing is created", () => {
    const result = runCli(["run", "--db", path("absent.sqlite")])
    assert.strictEqual(result.code, 1)
    assert.deepStrictEqual(messages(result.stderr), [
      `email-scheduler: The database file ${path("absent.sqlite")} does not exist.`
    ])
    assert.isFalse(existsSync(path("absent.sqlite")))
    assert.strictEqual(runCli(["migrate", "--db", path("absent.sqlite")]).code, 1)
    assert.isFalse(existsSync(path("absent.sqlite")))
  })

  it("a wrong flag, a missing required flag or an impossible date exits 2 with a clear message", () => {
    const unknown = runCli(["run", "--db", path("x.sqlite"), "--frobnicate", "3"])
    assert.strictEqual(unknown.code, 2)
    assert.match(unknown.stdout + unknown.stderr, /unknown argument.*--frobnicate/i)
    const missing = runCli(["generate", "--db", path("y.sqlite")])
    assert.strictEqual(missing.code, 2)
    assert.match(missing.stdout + missing.stderr, /--contacts/)
    const date = runCli(["run", "--db", path("org.sqlite"), "--as-of", "2026-02-30"])
    assert.strictEqual(date.code, 2)
    assert.deepStrictEqual(messages(date.stderr), [
      'email-scheduler: --as-of must be a calendar date written YYYY-MM-DD (got "2026-02-30")'
    ])
  })

  it("help in a pipe is plain text; run's settings are grouped, one line each with kind, range and default (issue 15)", () => {
    const help = runCli(["run", "--help"])
    assert.strictEqual(help.code, 0)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no ANSI escape may reach a pipe
    assert.notMatch(help.stdout, /\u001b\[/)
    assert.isBelow(help.stdout.split("\n").length, 100, "324 lines before")
    const lines = help.stdout.split("\n")
    const line = (flag: string) => lines.find((text) => text.trimStart().startsWith(`${flag} `)) ?? ""
    assert.match(
      line("--birthday-days-before"),
      /<integer> +birthday email = anniversary - this; 0 to 180; default 14$/
    )
    assert.match(line("--aep-enabled"), /<true\|false> .*; default true$/)
    assert.match(line("--max-emails-per-period"), /; at least 1; default 3$/)
    assert.match(line("--ruleset"), /baseline \| statutes-2026; default baseline$/)
    assert.match(line("--batch-size"), /1 to 1000000; default from the size profile$/)
    const groups = ["Email dates and times", "Rules and who gets what", "Frequency, daily cap and balancing"]
    const positions = [...groups, "Priorities"].map((title) => help.stdout.indexOf(`  ${title}`))
    assert.deepStrictEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      "groups in order"
    )
    assert.notInclude(positions, -1)
    // The priorities come after their group's heading, the time zone under dates.
    assert.isAbove(help.stdout.indexOf("--post-window-priority"), help.stdout.indexOf("  Priorities"))
    const wrong = runCli(["run", "--frobnicate"])
    // biome-ignore lint/suspicious/noControlCharactersInRegex: nor into an error message
    assert.notMatch(wrong.stdout + wrong.stderr, /\u001b\[/)
  })

  it("explain shows the day the last run stored next to the planned day when balancing moved it", () => {
    const db = path("org.sqlite")
    const moved = new BetterSqlite3(db, { readonly: true })
      .prepare(
        `SELECT contact_id AS id FROM email_schedules
          WHERE status = 'pre-scheduled' AND json_extract(metadata, '$.moved') IS NOT NULL LIMIT 1`
      )
      .get() as { id: number } | undefined
    assert.isDefined(moved, "the generated organization has a row balancing moved")
    // With the settings of the run that stored it (the first test's last run).
    const text = runCli(["explain", "--db", db, "--contact", String(moved!.id), "--as-of", "2026-12-01"], {
      SCHEDULER_PRE_EXCLUSION_BUFFER_DAYS: "45"
    })
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /→ stored by the last run on \d{4}-\d{2}-\d{2}/)
  })

  it("a directory as --db, --contacts 0 and an absurd --batch-size get one sentence and their exit code", () => {
    const folder = path("a-folder")
    mkdirSync(folder, { recursive: true })
    for (const args of [
      ["run", "--db", folder],
      ["generate", "--db", folder, "--contacts", "10", "--force"]
    ]) {
      const result = runCli(args)
      assert.strictEqual(result.code, 1, result.stderr)
      assert.deepStrictEqual(messages(result.stderr), [
        `email-scheduler: ${folder} is a directory, not a database file.`
      ])
    }
    const none = runCli(["generate", "--db", path("none.sqlite"), "--contacts", "0"])
    assert.strictEqual(none.code, 2)
    assert.deepStrictEqual(messages(none.stderr), [
      "email-scheduler: --contacts must be a whole number of at least 1 (got 0)"
    ])
    const db = path("org.sqlite")
    const before = readFileSync(db)
    const huge = runCli(["run", "--db", db, "--batch-size", "99999999999999999999"])
    assert.strictEqual(huge.code, 2)
    assert.include(huge.stderr, "batch_size must be between 1 and 1000000")
    assert.isTrue(readFileSync(db).equals(before), "nothing written: no WAL switch, no checkpoint")
  })

  it("a business date outside 2000–2100 is a usage error (exit 2) and the file stays byte-identical", () => {
    const db = path("org.sqlite")
    const before = readFileSync(db)
    for (const date of ["9999-12-31", "0001-01-01", "1900-01-01"]) {
      const result = runCli(["run", "--db", db, "--as-of", date])
      assert.strictEqual(result.code, 2, result.stderr)
      assert.deepStrictEqual(messages(result.stderr), [
        `email-scheduler: --as-of must be between 2000-01-01 and 2100-12-31 (got "${date}")`
      ])
    }
    assert.isTrue(readFileSync(db).equals(before))
  })

  it("--dry-run on an unmigrated predecessor database reports the migration and leaves the file byte-identical", () => {
    const db = path("predecessor.sqlite")
    buildPredecessorDatabase(db)
    const before = readFileSync(db)
    const result = runCli(["run", "--db", db, "--dry-run", "--json", "--as-of", "2026-06-01"])
    assert.strictEqual(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.deepStrictEqual(report.migrationsApplied, [
      "0001_base_schema",
      "0002_lean_indexes",
      "0003_change_tracking",
      "0004_abandoned_checkpoints",
      "0005_deferred_indexes",
      "0006_changed_contacts",
      "0007_plan_reuse",
      "0008_count_lookalike_writes"
    ])
    assert.strictEqual(report.contacts.total, 50)
    assert.strictEqual(report.settings.timezone, "America/New_York")
    assert.strictEqual(report.settings.batch_size, 500)
    assert.isTrue(readFileSync(db).equals(before))
    assert.deepStrictEqual(
      readdirSync(dir).filter((f) => f.startsWith("predecessor.sqlite")),
      ["predecessor.sqlite"]
    )
  })

  it("runs on a database of the predecessor's production shape (10,000 contacts)", () => {
    const db = path("fixture.sqlite")
    buildPredecessorShapedDatabase(db, 10_000)
    const result = runCli(["run", "--db", db, "--json", "--as-of", "2026-12-01"])
    assert.strictEqual(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.strictEqual(report.contacts.total, 10_000)
    assert.isTrue(report.organizationRowMissing)
  })
})
