/**
 * A one-line progress indicator on stderr, drawn only when stderr is a terminal (logs and --json output stay clean)
 * and at most every 100 ms.
 */
export const terminalProgress = (stream: NodeJS.WriteStream = process.stderr) => {
  let lastDraw = 0
  let drawn = false
  return {
    update: (phase: string, done: number, total: number) => {
      if (!stream.isTTY) return
      const now = performance.now()
      if (now - lastDraw < 100 && done !== total) return
      lastDraw = now
      drawn = true
      const count =
        total > 0 ? `${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}` : done.toLocaleString("en-US")
      const bar = total > 0 ? ` [${"#".repeat(Math.round((20 * done) / total)).padEnd(20, ".")}]` : ""
      stream.write(`\r${phase}${bar} ${count}\u001b[K`)
    },
    done: () => {
      if (drawn && stream.isTTY) stream.write("\r\u001b[K")
      drawn = false
    }
  }
}
