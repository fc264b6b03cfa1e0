import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/build.ts"],
    setupFiles: ["test/support/yield-between-tests.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Generator and migration tests build real SQLite files; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
