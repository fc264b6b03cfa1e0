#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Logger, LogLevel } from "effect"
import { cli } from "./Cli.js"

/** Usage problems (flags, settings, dates) exit with 2; every other failure with 1. */
const USAGE_TAGS = new Set(["UsageError", "SettingsInvalid"])

// Logs are structured (logfmt) on stderr, so a --json document on stdout stays parseable.
const LoggerLive = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

const program = Effect.suspend(() => cli(process.argv)).pipe(
  Effect.catchAll((error) => {
    // @effect/cli has already printed its own message and the help for a wrong flag or argument.
    if (ValidationError.isValidationError(error)) return Effect.sync(() => void (process.exitCode = 2))
    const code = USAGE_TAGS.has(error._tag) ? 2 : 1
    return Console.error(`email-scheduler: ${error.message}`).pipe(
      Effect.zipRight(Effect.sync(() => void (process.exitCode = code)))
    )
  }),
  Effect.catchAllDefect((defect) =>
    Console.error(`email-scheduler: unexpected failure: ${Cause.pretty(Cause.die(defect))}`).pipe(
      Effect.zipRight(Effect.sync(() => void (process.exitCode = 1)))
    )
  ),
  Effect.provide(NodeContext.layer),
  Effect.provide(LoggerLive),
  Logger.withMinimumLogLevel(LogLevel.Info)
)

NodeRuntime.runMain(program, { disablePrettyLogger: true })
