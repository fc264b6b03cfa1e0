import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { chromium } from "playwright-core"
import { runnableFile } from "../../src/app/sqlite.js"
import { addDays } from "../../src/domain/dates.js"
import { runOnce } from "../../src/run/run.js"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

/** Debian's Chromium (`.ci/run` installs it); playwright-core never downloads a browser of its own. */
const CHROMIUM = "/usr/bin/chromium"
const ARTIFACTS = resolve("test-artifacts")
const dir = useTempDir("report")
const AS_OF = "2026-11-29"

const Row = Schema.Struct({ a: Schema.String, b: Schema.String, n: Schema.Int })
const grouped = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Row))),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    // No sandbox as root in CI; no background networking, which this machine's closed network refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

describe.skipIf(!existsSync(CHROMIUM))("the compliance and volume report in headless Chromium (issue 7)", () => {
  it.effect(
    "renders the chart and the tables with the database's numbers, needs no network, and is screenshotted",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "report.sqlite", 1500, 6, AS_OF)
        const run = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(
          Effect.provide(runnableFile(path))
        )
        const out = join(dir, "report.html")
        const cli = runCli(["report", "--db", path, "--out", out, "--as-of", AS_OF])
        assert.strictEqual(cli.code, 0, cli.stderr)
        assert.notMatch(readFileSync(out, "utf8"), /<script|https?:\/\/(?!www\.w3\.org)/, "self-contained, no script")

        const last = addDays(AS_OF, 89)
        const volume = yield* grouped(
          path,
          `SELECT scheduled_send_date AS a, email_type AS b, count(*) AS n FROM email_schedules
            WHERE status IN ('pre-scheduled', 'scheduled') AND scheduled_send_date BETWEEN '${AS_OF}' AND '${last}'
            GROUP BY 1, 2 ORDER BY 1, 2`
        )
        const suppressed = yield* grouped(
          path,
          `SELECT skip_reason AS a, '' AS b, count(*) AS n FROM email_schedules
            WHERE status = 'skipped' AND scheduled_send_date >= '${AS_OF}' GROUP BY 1 ORDER BY 1`
        )

        const browser = yield* Effect.promise(launch)
        const page = yield* Effect.promise(() => browser.newPage({ viewport: { width: 1100, height: 900 } }))
        const requested: Array<string> = []
        const rendered = yield* Effect.promise(async () => {
          await page.route("**/*", (route) => {
            requested.push(route.request().url())
            return route.request().url().startsWith("file:") ? route.continue() : route.abort()
          })
          await page.goto(pathToFileURL(out).href)
          const segments = await page.$$eval("#volume-chart rect.segment", (rects) =>
            rects.map((rect) => ({
              date: rect.getAttribute("data-date") ?? "",
              type: rect.getAttribute("data-type") ?? "",
              count: Number(rect.getAttribute("data-count")),
              height: rect.getBoundingClientRect().height
            }))
          )
          const cells = (id: string) =>
            page.$$eval(`#${id} tbody tr`, (rows) =>
              rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? ""))
            )
          const result = {
            days: await page.locator("#volume-chart g.day").count(),
            segments,
            legend: await page.locator(".legend-item").allTextContents(),
            totalPlanned: await page.locator("#total-planned").textContent(),
            byReason: await cells("suppressed-by-reason"),
            byState: await cells("suppressed-by-state"),
            invalid: await cells("invalid-contacts"),
            rules: await cells("rules"),
            runs: await cells("runs")
          }
          mkdirSync(ARTIFACTS, { recursive: true })
          await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true })
          return result
        }).pipe(Effect.ensuring(Effect.promise(() => browser.close())))

        assert.deepStrictEqual(requested, [pathToFileURL(out).href], "the page loads nothing but itself")
        assert.strictEqual(rendered.days, 90)
        assert.deepStrictEqual(
          rendered.segments
            .map((s) => ({ a: s.date, b: s.type, n: s.count }))
            .sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1)),
          volume.map((row) => ({ ...row })),
          "one segment per day and type, with the planned count"
        )
        assert.isTrue(
          rendered.segments.every((s) => s.height > 0),
          "every segment is drawn"
        )
        assert.deepStrictEqual(rendered.legend, [...new Set(volume.map((row) => row.b))].sort())
        const planned = volume.reduce((sum, row) => sum + row.n, 0)
        assert.strictEqual(rendered.totalPlanned, planned.toLocaleString("en-US"))
        assert.deepStrictEqual(
          rendered.byReason.map(([reason, count]) => [reason, count]).sort(),
          suppressed.map((row) => [row.a, row.n.toLocaleString("en-US")]).sort()
        )
        assert.strictEqual(
          rendered.byState.reduce((sum, [, count]) => sum + Number(count?.replaceAll(",", "")), 0),
          suppressed.reduce((sum, row) => sum + row.n, 0),
          "suppressions by state add up"
        )
        const invalidEmail = rendered.invalid.find(([reason]) => reason === "invalid_email")
        assert.strictEqual(invalidEmail?.[1], run.contacts.issues.invalid_email.count.toLocaleString("en-US"))
        const california = rendered.rules.find(([state, kind]) => state === "CA" && kind === "birthday")
        assert.isDefined(california, "CA's birthday rule is listed")
        assert.include(california?.[2], "90 days before the birthday (rule 30 + buffer 60) to 60 days after")
        assert.match(california?.[3] ?? "", /\S/, "with its source")
        assert.include(rendered.runs[0]?.[0], run.runId)
        assert.strictEqual(rendered.runs[0]?.[2], "completed")
        assert.isTrue(existsSync(join(ARTIFACTS, "report.png")))
      }),
    120_000
  )
})
