/** The help files the build renders (render-help.ts) and bin.ts prints without loading the program. */

/** Commands with setting flags, whose help is rendered too; the names are fixed, never a path from the user. */
export const RENDERED_HELP_COMMANDS: ReadonlyArray<string> = ["run", "explain", "preview"]

/** `help.txt` for the program, `help-run.txt` for `run --help`, beside the compiled CLI. */
export const renderedHelpFile = (command?: string): URL =>
  new URL(command === undefined ? "./help.txt" : `./help-${command}.txt`, import.meta.url)
