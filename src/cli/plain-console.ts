import { Console, Effect, Layer } from "effect"

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what this removes
const ANSI = /\u001b\[[0-9;]*m/g

/** Colours only on a terminal, and never when NO_COLOR is set (no-color.org): a pipe or a file gets plain text. */
export const wantsColour = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

const strip = (args: ReadonlyArray<unknown>) =>
  args.map((arg) => (typeof arg === "string" ? arg.replace(ANSI, "") : arg))

/**
 * The default Console with ANSI escapes removed from what it prints (@effect/cli colours its help and messages
 * unconditionally).
 */
export const plainConsole = Layer.unwrapEffect(
  Effect.map(Console.consoleWith(Effect.succeed), (base) =>
    Console.setConsole({
      ...base,
      log: (...args) => base.log(...strip(args)),
      error: (...args) => base.error(...strip(args)),
      info: (...args) => base.info(...strip(args)),
      warn: (...args) => base.warn(...strip(args)),
      unsafe: {
        ...base.unsafe,
        log: (...args) => base.unsafe.log(...strip(args)),
        error: (...args) => base.unsafe.error(...strip(args))
      }
    })
  )
)
