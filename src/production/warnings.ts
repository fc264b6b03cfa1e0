/**
 * Node's process warnings (an SDK's deprecation notice, say) print as several plain-text lines on stderr, which breaks
 * a log made of JSON lines. The production job prints them as one JSON line each instead, with its org and run id.
 */
export const warningAsJsonLine = (warning: Error, annotations: Readonly<Record<string, string>>): string =>
  JSON.stringify({
    message: "process warning",
    logLevel: "WARN",
    timestamp: new Date().toISOString(),
    annotations: { ...annotations, warning: warning.name, text: warning.message }
  })

/** Replaces Node's default warning printer for the rest of the process. */
export const logWarningsAsJson = (annotations: Readonly<Record<string, string>>, write: (line: string) => void) => {
  process.removeAllListeners("warning")
  process.on("warning", (warning) => write(warningAsJsonLine(warning, annotations)))
}
