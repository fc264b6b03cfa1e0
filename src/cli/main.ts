#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Layer, Logger, LogLevel } from "effect"
import { RunServicesLive } from "../run/index.js"
import { cli, settingsCommandHelp } from "./Cli.js"
import { plainConsole, wantsColour } from "./plain-console.js"

/** Usage problems (flags, settings, dates) exit with 2; every other failure with 1. */
const USAGE_TAGS = new Set(["UsageError", "SettingsInvalid", "ContactNotFound"])

// Logs are structured (logfmt) on stderr, so a --json document on stdout stays parseable.
const LoggerLive = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

const exitWith = (code: number) =>
  Effect.sync(() => {
    process.exitCode = code
  })

/** `run --help` (and explain's, preview's): the settings grouped one per line instead of @effect/cli's six lines each. */
const args = process.argv.slice(2)
const settingsHelp = args.length === 2 && args[1] === "--help" ? settingsCommandHelp(args[0] ?? "") : undefined

const program = Effect.suspend(() => (settingsHelp === undefined ? cli(process.argv) : Console.log(settingsHelp))).pipe(
  Effect.catchAll((error) =>
    // @effect/cli has already printed its own message (and help) for a wrong flag or argument.
    ValidationError.isValidationError(error)
      ? exitWith(2)
      : Console.error(`email-scheduler: ${error.message}`).pipe(
          Effect.zipRight(exitWith(USAGE_TAGS.has(error._tag) ? 2 : 1))
        )
  ),
  Effect.catchAllDefect((defect) =>
    Console.error(`email-scheduler: unexpected failure: ${Cause.pretty(Cause.die(defect))}`).pipe(
      Effect.zipRight(exitWith(1))
    )
  ),
  // The live rules and business clock, once for every command; each command provides its own database file.
  Effect.provide(Layer.merge(NodeContext.layer, RunServicesLive)),
  Effect.provide(LoggerLive),
  // Plain text in a pipe, a file, or with NO_COLOR (help, usage errors and messages alike).
  Effect.provide(wantsColour(process.stdout, process.env) ? Layer.empty : plainConsole),
  Logger.withMinimumLogLevel(LogLevel.Info)
)

/** 128 + SIGINT (2): a run stopped by Ctrl-C or SIGTERM must not look like success (runMain's default says 0). */
const INTERRUPTED = 130

NodeRuntime.runMain(program, {
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isFailure(exit) ? (Cause.isInterruptedOnly(exit.cause) ? INTERRUPTED : 1) : 0)
})
