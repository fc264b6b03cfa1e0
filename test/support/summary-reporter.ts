import type { RunnerTask } from "vitest"
import type { Reporter } from "vitest/reporters"

/** Ends the run with the plain `N passed, N failed, N skipped` line that CI reads in any language. */
export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTask> = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    const visit = (task: RunnerTask) => {
      if (task.type === "suite") {
        for (const child of task.tasks) visit(child)
        if (task.result?.state === "fail" && task.tasks.length === 0) counts.failed++
        return
      }
      if (task.mode === "skip" || task.mode === "todo") counts.skipped++
      else if (task.result?.state === "pass") counts.passed++
      else if (task.result?.state === "fail") counts.failed++
    }
    for (const file of files) visit(file)
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`)
  }
}
