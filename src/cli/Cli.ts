import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs"
import { basename, dirname, resolve } from "node:path"
import { Command, HelpDoc, Options, Usage } from "@effect/cli"
import { Console, DateTime, Effect, Option } from "effect"
import { readableCopyIfReadOnly, scratchCopy } from "../app/scratch-copy.js"
import { databaseFile, requireDatabaseFile, sqliteFile } from "../app/sqlite.js"
import { DatabaseNotAFile } from "../db/errors.js"
import { runMigrations } from "../db/migrations.js"
import { businessDateProblem, daysBetween, type IsoDate } from "../domain/dates.js"
import { generateDatabase } from "../generate/generate.js"
import { comparePreviews } from "../preview/compare.js"
import { previewRange } from "../preview/simulate.js"
import { renderReportHtml } from "../report/html.js"
import { reportData } from "../report/report-data.js"
import { explainContact, type RunReport, runOnce } from "../run/index.js"
import { flagName, SETTING_NAMES, SETTINGS, type SettingName } from "../settings/definitions.js"
import { businessToday } from "../time/BusinessClock.js"
import { UsageError } from "./errors.js"
import { fleet } from "./fleet.js"
import { terminalProgress } from "./progress.js"
import { renderRunReport } from "./render.js"
import { renderExplanation } from "./render-explain.js"
import { renderComparison, renderPreview } from "./render-preview.js"
import { renderSettingsHelp, settingDescription, VALUE_NAMES } from "./settings-help.js"

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
      Options.text(flagName(name)).pipe(
        Options.withPseudoName(VALUE_NAMES[SETTINGS[name].kind]),
        Options.optional,
        Options.withDescription(settingDescription(name))
      )
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

/** A business date flag: a calendar date within the range a run accepts (`businessDateProblem`). */
const parseDate = (flag: string, text: string): Effect.Effect<IsoDate, UsageError> => {
  const problem = businessDateProblem(text)
  return problem === undefined ? Effect.succeed(text) : Effect.fail(new UsageError({ message: `--${flag} ${problem}` }))
}

const parseAsOf = (value: Option.Option<string>): Effect.Effect<Option.Option<IsoDate>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (text) => Effect.map(parseDate("as-of", text), Option.some)
  })

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory()

const migrate = Command.make("migrate", { db }, ({ db: path }) =>
  Effect.gen(function* () {
    yield* requireDatabaseFile(path)
    const applied = yield* runMigrations.pipe(Effect.provide(sqliteFile(path)))
    yield* Console.log(
      applied.length === 0
        ? `${path}: schema already up to date`
        : `${path}: applied ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`
    )
  })
).pipe(Command.withDescription("Create or upgrade the database schema (safe to run again; keeps every row)."))

/** Today in the generator's organization zone (its organizations row says so too), unless --as-of is given. */
const generatorToday = (value: Option.Option<IsoDate>) => businessToday("America/Chicago", value)

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
      if (!Number.isSafeInteger(contacts) || contacts < 1)
        return yield* new UsageError({ message: `--contacts must be a whole number of at least 1 (got ${contacts})` })
      if (isDirectory(path)) return yield* new DatabaseNotAFile({ path })
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
    yield* requireDatabaseFile(path)
    const progress = terminalProgress()
    // A dry run works on a private copy: it never holds the organization file's write lock (the sender keeps going).
    const target = options.dryRun ? yield* scratchCopy(path) : path
    return yield* runOnce({ ...options, onProgress: progress.update }).pipe(
      Effect.ensuring(Effect.sync(progress.done)),
      Effect.provide(databaseFile(target))
    )
  }).pipe(Effect.scoped)

const printReport = (report: RunReport, asJson: boolean) =>
  Console.log(asJson ? JSON.stringify(report, null, 2) : renderRunReport(report))

const runOptions = {
  db,
  asOf,
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("compute and report; write nothing")),
  json
}
const RUN_DESCRIPTION =
  "Run the scheduler on a database (settings: flag > SCHEDULER_* variable > organizations column > default)."

const run = Command.make(
  "run",
  { ...runOptions, settings: settingFlags },
  ({ db: path, asOf: rawAsOf, dryRun, json: asJson, settings }) =>
    Effect.gen(function* () {
      const report = yield* runOn(path, { asOf: yield* parseAsOf(rawAsOf), dryRun, flags: presentFlags(settings) })
      yield* printReport(report, asJson)
    })
).pipe(Command.withDescription(RUN_DESCRIPTION))

const explainOptions = {
  db,
  contact: Options.integer("contact").pipe(Options.withDescription("id of the contact to explain")),
  asOf,
  json
}
const EXPLAIN_DESCRIPTION =
  "Explain every email of one contact: dates, status, skip reason, the window that applies and the post-window decision. Writes nothing."

const explain = Command.make(
  "explain",
  { ...explainOptions, settings: settingFlags },
  ({ db: path, contact, asOf: rawAsOf, json: asJson, settings }) =>
    Effect.gen(function* () {
      yield* requireDatabaseFile(path)
      const target = yield* readableCopyIfReadOnly(path)
      const explanation = yield* explainContact({
        contactId: contact,
        asOf: yield* parseAsOf(rawAsOf),
        flags: presentFlags(settings)
      }).pipe(Effect.provide(databaseFile(target)))
      yield* Console.log(asJson ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation))
    }).pipe(Effect.scoped)
).pipe(Command.withDescription(EXPLAIN_DESCRIPTION))

const requiredDate = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description))

/** Each day of a preview is a whole nightly run: a year is the longest range that answers in reasonable time. */
const MAX_PREVIEW_DAYS = 366

/** The preview on a private copy of the database, with a progress line per simulated day. */
const previewCopy = (path: string, from: IsoDate, to: IsoDate, flags: Partial<Record<SettingName, string>>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const copy = yield* scratchCopy(path)
      const progress = terminalProgress()
      const label = Object.keys(flags).length > 0 ? "Simulating (changed settings)" : "Simulating"
      return yield* previewRange({
        from,
        to,
        flags,
        onDay: (_, done, total) => progress.update(label, done, total)
      }).pipe(Effect.ensuring(Effect.sync(progress.done)), Effect.provide(databaseFile(copy)))
    })
  )

const previewOptions = {
  db,
  from: requiredDate("from", "first day to simulate (YYYY-MM-DD)"),
  to: requiredDate("to", "last day to simulate (YYYY-MM-DD)"),
  json,
  compare: Options.boolean("compare").pipe(
    Options.withDescription("also simulate the current settings and print what the given setting flags change")
  )
}
const PREVIEW_DESCRIPTION =
  "What will be sent each day from --from to --to, and what is suppressed: simulates the nightly runs with a sender that sends what is due, on a copy (writes nothing). Setting flags show a change before making it; --compare prints the differences."

const preview = Command.make(
  "preview",
  { ...previewOptions, settings: settingFlags },
  ({ db: path, from: rawFrom, to: rawTo, json: asJson, compare, settings }) =>
    Effect.gen(function* () {
      const from = yield* parseDate("from", rawFrom)
      const to = yield* parseDate("to", rawTo)
      if (to < from) return yield* new UsageError({ message: `--to (${to}) is before --from (${from})` })
      if (daysBetween(from, to) >= MAX_PREVIEW_DAYS) {
        return yield* new UsageError({
          message: `a preview covers at most ${MAX_PREVIEW_DAYS} days (got ${from} to ${to})`
        })
      }
      const flags = presentFlags(settings)
      if (compare && Object.keys(flags).length === 0) {
        return yield* new UsageError({
          message: "--compare needs at least one setting flag to compare, e.g. --ruleset baseline"
        })
      }
      yield* requireDatabaseFile(path)
      const proposed = yield* previewCopy(path, from, to, flags)
      if (!compare) {
        return yield* Console.log(asJson ? JSON.stringify(proposed, null, 2) : renderPreview(proposed))
      }
      const current = yield* previewCopy(path, from, to, {})
      const comparison = comparePreviews(current, proposed)
      yield* Console.log(
        asJson
          ? JSON.stringify({ current, proposed, comparison }, null, 2)
          : `${renderPreview(proposed)}\n\n${renderComparison(comparison)}`
      )
    })
).pipe(Command.withDescription(PREVIEW_DESCRIPTION))

const report = Command.make(
  "report",
  {
    db,
    out: Options.text("out").pipe(
      Options.withDefault("report.html"),
      Options.withDescription("where to write the HTML file")
    ),
    asOf
  },
  ({ db: path, out, asOf: rawAsOf }) =>
    Effect.gen(function* () {
      yield* requireDatabaseFile(path)
      const target = yield* readableCopyIfReadOnly(path)
      const data = yield* reportData({ asOf: yield* parseAsOf(rawAsOf), organization: basename(path) }).pipe(
        Effect.provide(databaseFile(target))
      )
      const generatedAt = DateTime.formatIso(yield* DateTime.now)
        .slice(0, 19)
        .replace("T", " ")
      mkdirSync(dirname(resolve(out)), { recursive: true })
      writeFileSync(out, renderReportHtml(data, generatedAt))
      yield* Console.log(
        `${out}: planned volume for the next ${data.volume.length} days, ${data.suppression.total.toLocaleString("en-US")} suppressed emails, rules of ${data.rules.length} states, ${data.runs.length} ${data.runs.length === 1 ? "run" : "runs"}`
      )
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Write a self-contained HTML compliance and volume report: the next 90 days of planned emails by type, suppressions by state and reason, the rules in force with their sources, invalid contacts and the last runs."
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
  Command.withSubcommands([run, explain, preview, report, migrate, generate, demo, fleet])
)

export const cli = Command.run(command, { name: "email-scheduler", version: "0.1.0" })

/** One command's help: usage, description and its own options as @effect/cli renders them, then the settings. */
const helpOf = <A>(name: string, description: string, options: Options.Options<A>): string => {
  const usage = HelpDoc.toAnsiText(Usage.getHelp(Options.getUsage(options))).trim()
  const own = HelpDoc.toAnsiText(Options.getHelp(options)).trimEnd()
  return [
    "USAGE",
    "",
    `$ email-scheduler ${name} ${usage} [setting flags]`,
    "",
    "DESCRIPTION",
    "",
    description,
    "",
    "OPTIONS",
    "",
    own,
    "",
    "  Every command also takes --help, --version, --log-level and --completions.",
    "",
    renderSettingsHelp()
  ].join("\n")
}

/**
 * `run --help`, `explain --help` and `preview --help`: the command's own options as @effect/cli renders them, then the
 * settings grouped, one line each (@effect/cli would give each setting six lines).
 */
const SETTINGS_COMMAND_HELP = {
  run: () => helpOf("run", RUN_DESCRIPTION, Options.all(runOptions)),
  explain: () => helpOf("explain", EXPLAIN_DESCRIPTION, Options.all(explainOptions)),
  preview: () => helpOf("preview", PREVIEW_DESCRIPTION, Options.all(previewOptions))
}

export const SETTINGS_COMMANDS = Object.keys(SETTINGS_COMMAND_HELP) as ReadonlyArray<keyof typeof SETTINGS_COMMAND_HELP>

const isSettingsCommand = (name: string): name is keyof typeof SETTINGS_COMMAND_HELP =>
  SETTINGS_COMMANDS.some((command) => command === name)

/** The help of a command with setting flags, or undefined for any other command (@effect/cli prints its own). */
export const settingsCommandHelp = (name: string): string | undefined =>
  isSettingsCommand(name) ? SETTINGS_COMMAND_HELP[name]() : undefined
