import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "vitest"
import { flySizingProblems, parseFlyMemoryMb } from "../support/fly-rules.js"

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")

/** Python's standard tomllib is a real TOML 1.0 parser (python3 is on every machine that runs the suite). */
const parseToml = (text: string): Record<string, unknown> => {
  const parsed = spawnSync(
    "python3",
    ["-c", "import json,sys,tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"],
    { input: text, encoding: "utf8" }
  )
  assert.strictEqual(parsed.status, 0, parsed.stderr)
  return JSON.parse(parsed.stdout)
}

/** The stage that ends the Dockerfile: what runs in production. */
const runtimeStage = (dockerfile: string) => dockerfile.slice(dockerfile.lastIndexOf("\nFROM "))

describe("deployment files", () => {
  it("the sizing rule refuses what Fly refuses (the rule itself, checked on known cases)", () => {
    assert.deepStrictEqual(flySizingProblems({ cpu_kind: "performance", cpus: 2, memory: "4096mb" }), [])
    assert.deepStrictEqual(flySizingProblems({ cpu_kind: "shared", cpus: 1, memory: "256mb" }), [])
    assert.lengthOf(
      flySizingProblems({ cpu_kind: "performance", cpus: 4, memory: "4gb" }),
      1,
      "2 GB per performance CPU"
    )
    assert.lengthOf(flySizingProblems({ cpu_kind: "shared", cpus: 1, memory: "4gb" }), 1, "at most 2 GB per shared CPU")
    assert.lengthOf(flySizingProblems({ cpu_kind: "performance", cpus: 1, memory: "3000mb" }), 1, "a multiple of 256")
    assert.lengthOf(flySizingProblems({ cpu_kind: "dedicated", cpus: 1, memory: "2gb" }), 1, "no such CPU kind")
    assert.strictEqual(parseFlyMemoryMb("4gb"), 4096)
    assert.strictEqual(parseFlyMemoryMb("512mb"), 512)
    assert.strictEqual(parseFlyMemoryMb(2048), 2048)
  })

  it("fly.toml: a VM size Fly accepts, no volume (one per machine), no service, never restarted", () => {
    const fly = parseToml(read("fly.toml"))
    const vms = fly.vm as ReadonlyArray<Record<string, unknown>>
    assert.lengthOf(vms, 1)
    assert.deepStrictEqual(flySizingProblems(vms[0]!), [])
    assert.isUndefined(fly.mounts, "a Fly volume attaches to one machine: per-organization machines cannot share one")
    assert.deepStrictEqual(fly.restart, [{ policy: "never" }])
    assert.isUndefined(fly.http_service, "a one-shot job serves nothing")
    assert.isUndefined(fly.services, "a one-shot job serves nothing")
  })

  it("the Dockerfile: pinned Node 24 slim (the version CI installs), no mount tools, compilers, curl or tcl at run time", () => {
    const dockerfile = read("Dockerfile")
    const image = /ARG NODE_IMAGE=node:(24\.\d+\.\d+)-bookworm-slim\n/.exec(dockerfile)
    assert.isNotNull(image, "a pinned node:24.x.y-bookworm-slim image")
    assert.include(read(".ci/run"), `NODE_VERSION=${image![1]}`, "CI tests the Node version the image runs")
    assert.strictEqual(dockerfile.match(/^FROM /gm)?.length, 2)
    assert.include(dockerfile, "npm prune --omit=dev")
    const runtime = runtimeStage(dockerfile)
    for (const absent of ["gcsfuse", "tigrisfs", "sqlite3_rsync", "curl", "tcl", "g++", "apt-get install"])
      assert.notInclude(runtime, absent, `the runtime image carries no ${absent}`)
    assert.match(runtime, /^USER node$/m)
    assert.match(runtime, /^ENTRYPOINT \["node", "--max-old-space-size=1024", "dist\/entrypoint\.js"\]$/m)
    // The image copies exactly what the build produced: the entry point must be where ENTRYPOINT expects it.
    const build = JSON.parse(read("tsconfig.build.json"))
    assert.include(build.include, "entrypoint.ts")
  })

  it(".dockerignore keeps dependencies, build output, databases and credentials out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
    for (const pattern of ["node_modules", "dist", "data", ".git", "*.db", "*.sqlite", "*.sqlite3", ".env"])
      assert.include(ignored, pattern)
  })

  it("package.json asks for Node 24, the version the image and CI run", () => {
    const pkg = JSON.parse(read("package.json"))
    assert.strictEqual(pkg.engines.node, ">=24 <25")
    assert.match(pkg.devDependencies["@types/node"], /^24\./)
    assert.match(pkg.dependencies["better-sqlite3"], /^13\./, "12.x aborts on Node ≥ 24.19 (node::ObjectWrap hooks)")
  })
})
