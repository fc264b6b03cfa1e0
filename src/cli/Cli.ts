import { existsSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, DateTime, Effect, Layer, Option } from "effect"
import { databaseFile, sqliteFile } from "../app/sqlite.js"
import { DatabaseFileMissing } from "../db/errors.js"
import { runMigrations } from "../db/migrations.js"
import { type IsoDate, parseIsoDate } from "../domain/dates.js"
import { generateDatabase } from "../generate/generate.js"
import { explainContact } from "../scheduling/explain.js"
import { type RunReport, runOnce } from "../scheduling/run.js"
import { flagName, SETTING_NAMES, SETTINGS, type SettingName } from "../settings/definitions.js"
import { BusinessClock } from "../time/BusinessClock.js"
import { UsageError } from "./errors.js"
import { terminalProgress } from "./progress.js"
import { renderRunReport } from "./render.js"
import { renderExplanation } from "./render-explain.js"

const db = Options.text("db").pipe(Options.withDescription("path of the organization's SQLite database"))
const asOf = Options.text("as-of").pipe(
  Options.optional,
  Options.withDescription("business date to use instead of today (YYYY-MM-DD)")
)
const json = Options.boolean("json").pipe(
  Options.withDescription("print one JSON document on stdout (logs go to stderr)")
)

/** One optional flag per setting of spec §13 (`--pre-exclusion-buffer-days 45`); values are checked on resolution. */
const settingFlags = Options.all(
  Object.fromEntries(
    SETTING_NAMES.map((name) => [
      name,
      Options.text(flagName(name)).pipe(Options.optional, Options.withDescription(SETTINGS[name].description))
    ])
  ) as Record<SettingName, Options.Options<Option.Option<string>>>
)

const presentFlags = (flags: Record<SettingName, Option.Option<string>>): Partial<Record<SettingName, string>> => {
  const present: Partial<Record<SettingName, string>> = {}
  for (const name of SETTING_NAMES) {
    const value = flags[name]
    if (Option.isSome(value)) present[name] = value.value
  }
  return present
}

const parseAsOf = (value: Option.Option<string>): Effect.Effect<Option.Option<IsoDate>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (text) =>
      parseIsoDate(text) === undefined
        ? Effect.fail(new UsageError({ message: `--as-of must be a calendar date written YYYY-MM-DD (got "${text}")` }))
        : Effect.succeed(Option.some(text))
  })

const requireFile = (path: string) => (existsSync(path) ? Effect.void : Effect.fail(new DatabaseFileMissing({ path })))

const migrate = Command.make("migrate", { db }, ({ db: path }) =>
  Effect.gen(function* () {
    yield* requireFile(path)
    const applied = yield* runMigrations.pipe(Effect.provide(sqliteFile(path)))
    yield* Console.log(
      applied.length === 0
        ? `${path}: schema already up to date`
        : `${path}: applied ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`
    )
  })
).pipe(Command.withDescription("Create or upgrade the database schema (safe to run again; keeps every row)."))

/** The generated organization's zone (its organizations row says so too). */
const GENERATOR_ZONE = DateTime.layerCurrentZoneNamed("America/Chicago").pipe(Layer.orDie)

/** Today in the generator's organization zone: generated data is dated relative to it unless --as-of is given. */
const generatorToday = (value: Option.Option<IsoDate>) =>
  Effect.flatMap(BusinessClock, (clock) => clock.todayOr(value)).pipe(
    Effect.provide(BusinessClock.Default.pipe(Layer.provide(GENERATOR_ZONE)))
  )

const generateFile = (path: string, contacts: number, seed: number, date: IsoDate, force: boolean) =>
  Effect.gen(function* () {
    mkdirSync(dirname(path), { recursive: true })
    const progress = terminalProgress()
    const started = performance.now()
    const counts = yield* generateDatabase({
      path,
      contacts,
      seed,
      asOf: date,
      force,
      onProgress: (written) => progress.update("Generating contacts", written, contacts)
    }).pipe(Effect.ensuring(Effect.sync(progress.done)))
    const seconds = (performance.now() - started) / 1000
    yield* Effect.logInfo("generated organization").pipe(
      Effect.annotateLogs({ path, seed, asOf: date, seconds: seconds.toFixed(2), ...counts })
    )
    yield* Console.log(
      `${path}: ${counts.contacts.toLocaleString("en-US")} contacts (${counts.badRows} bad rows), ` +
        `${counts.enrollments} enrollments, ${counts.sentEmails} sent emails, ${counts.clicks} clicks, ` +
        `${counts.eligibilityAnswers} eligibility answers, as of ${date}, seed ${seed}, in ${seconds.toFixed(1)} s`
    )
  })

const generate = Command.make(
  "generate",
  {
    db,
    contacts: Options.integer("contacts").pipe(Options.withDescription("number of contacts to generate")),
    seed: Options.integer("seed").pipe(
      Options.withDefault(1),
      Options.withDescription("random seed (same seed, same data)")
    ),
    asOf: asOf.pipe(Options.withDescription("date the data is relative to (default: today in America/Chicago)")),
    force: Options.boolean("force").pipe(Options.withDescription("replace an existing file"))
  },
  ({ db: path, contacts, seed, asOf: rawAsOf, force }) =>
    Effect.gen(function* () {
      const date = yield* generatorToday(yield* parseAsOf(rawAsOf))
      yield* generateFile(path, contacts, seed, date, force)
    })
).pipe(Command.withDescription("Generate a realistic, deterministic organization database for demos and benchmarks."))

const runOn = (
  path: string,
  options: {
    readonly asOf: Option.Option<IsoDate>
    readonly dryRun: boolean
    readonly flags: Partial<Record<SettingName, string>>
  }
) =>
  Effect.gen(function* () {
    yield* requireFile(path)
    const progress = terminalProgress()
    return yield* runOnce({ ...options, onProgress: progress.update }).pipe(
      Effect.ensuring(Effect.sync(progress.done)),
      Effect.provide(databaseFile(path))
    )
  })

const printReport = (report: RunReport, asJson: boolean) =>
  Console.log(asJson ? JSON.stringify(report, null, 2) : renderRunReport(report))

const run = Command.make(
  "run",
  {
    db,
    asOf,
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("compute and report; write nothing")),
    json,
    settings: settingFlags
  },
  ({ db: path, asOf: rawAsOf, dryRun, json: asJson, settings }) =>
    Effect.gen(function* () {
      const report = yield* runOn(path, { asOf: yield* parseAsOf(rawAsOf), dryRun, flags: presentFlags(settings) })
      yield* printReport(report, asJson)
    })
).pipe(
  Command.withDescription(
    "Run the scheduler on a database (settings: flag > SCHEDULER_* variable > organizations column > default)."
  )
)

const explain = Command.make(
  "explain",
  {
    db,
    contact: Options.integer("contact").pipe(Options.withDescription("id of the contact to explain")),
    asOf,
    json,
    settings: settingFlags
  },
  ({ db: path, contact, asOf: rawAsOf, json: asJson, settings }) =>
    Effect.gen(function* () {
      yield* requireFile(path)
      const explanation = yield* explainContact({
        contactId: contact,
        asOf: yield* parseAsOf(rawAsOf),
        flags: presentFlags(settings)
      }).pipe(Effect.provide(databaseFile(path)))
      yield* Console.log(asJson ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation))
    })
).pipe(
  Command.withDescription(
    "Explain every email of one contact: dates, status, skip reason, the window that applies and the post-window decision. Writes nothing."
  )
)

const demo = Command.make(
  "demo",
  {
    db: Options.text("db").pipe(Options.withDefault("data/demo.sqlite"), Options.withDescription("demo database path")),
    contacts: Options.integer("contacts").pipe(
      Options.withDefault(10_000),
      Options.withDescription("contacts to generate when the file is absent")
    )
  },
  ({ db: path, contacts }) =>
    Effect.gen(function* () {
      if (!existsSync(path)) yield* generateFile(path, contacts, 1, yield* generatorToday(Option.none()), false)
      const report = yield* runOn(path, { asOf: Option.none(), dryRun: false, flags: {} })
      yield* printReport(report, false)
    })
).pipe(
  Command.withDescription(
    "Generate data/demo.sqlite (10,000 contacts) if it is absent, run the scheduler on it and print the summary."
  )
)

export const command = Command.make("email-scheduler").pipe(
  Command.withDescription("Plans birthday, effective-date, AEP, post-window and campaign emails for a Medigap agency."),
  Command.withSubcommands([run, explain, migrate, generate, demo])
)

export const cli = Command.run(command, { name: "email-scheduler", version: "0.1.0" })
