import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { ConfigProvider, Effect } from "effect"
import { assert, describe, it } from "vitest"
import { productionConfig } from "../../src/production/config.js"
import { healthcheckFromEnvironment } from "../../src/production/healthcheck.js"
import { telemetryFromEnvironment } from "../../src/production/telemetry.js"
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
    assert.match(
      runtime,
      /^ENTRYPOINT \["node", "--max-old-space-size=1024", "--max-semi-space-size=8", "dist\/entrypoint\.js"\]$/m
    )
    assert.match(runtime, /^ENV .*GLIBC_TUNABLES=glibc\.malloc\.mmap_threshold=4194304:glibc\.malloc\.arena_max=1/m)
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

/** The flags of each flyctl command the guide uses, read from flyctl's sources at the version the guide names. */
const FLYCTL = JSON.parse(read("test/fixtures/flyctl-v0.4.87-flags.json")) as {
  readonly flyctl: string
  readonly commands: Readonly<Record<string, ReadonlyArray<string>>>
}

/** Splits a shell command into words, keeping quoted parts together (enough for the guide's commands). */
const words = (command: string): ReadonlyArray<string> =>
  [...command.matchAll(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g)].map((match) => match[0])

/** Every `fly …` command of the guide: lines of its shell blocks (continuations joined) and inline code spans. */
const flyCommands = (markdown: string): ReadonlyArray<string> => {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => line.trim())
  )
  const inline = [...markdown.matchAll(/`(fly [^`]+)`/g)].map((match) => match[1]!)
  return [...blocks, ...inline].filter((line) => line.startsWith("fly "))
}

/** The command's name (the longest one flyctl knows that its leading words spell) and its flags. */
const parseFly = (command: string) => {
  const parts = words(command)
  const known = Object.keys(FLYCTL.commands)
    .filter((name) => parts.slice(0, name.split(" ").length).join(" ") === name)
    .sort((a, b) => b.length - a.length)[0]
  const flags = parts.filter((part) => part.startsWith("--")).map((part) => part.slice(2).split("=")[0]!)
  const flagValue = (flag: string) => parts[parts.indexOf(`--${flag}`) + 1]
  return { known, flags, parts, flagValue }
}

/** The environment variables the job asks for (`productionConfig`, `HEALTHCHECK_URL`, `OTEL_*`), recorded by a ConfigProvider that answers from `values`. */
const variablesRead = (values: Record<string, string>): Set<string> => {
  const names = new Set<string>()
  const base = ConfigProvider.fromMap(new Map(Object.entries(values))).flattened
  const recording = ConfigProvider.fromFlat(
    ConfigProvider.makeFlat({
      load: (path, config, split) => {
        names.add(path.join("_"))
        return base.load(path, config, split)
      },
      enumerateChildren: (path) => base.enumerateChildren(path),
      patch: base.patch
    })
  )
  Effect.runSync(Effect.either(productionConfig({ init: false })).pipe(Effect.withConfigProvider(recording)))
  Effect.runSync(Effect.either(healthcheckFromEnvironment).pipe(Effect.withConfigProvider(recording)))
  Effect.runSync(Effect.either(telemetryFromEnvironment).pipe(Effect.withConfigProvider(recording)))
  return names
}

/** Enough for every storage kind to read its whole configuration (a configuration with problems stops early). */
const COMPLETE = {
  ORG_ID: "acme",
  GCS_BUCKET_NAME: "b",
  BUCKET_NAME: "b",
  AWS_ACCESS_KEY_ID: "k",
  AWS_SECRET_ACCESS_KEY: "s",
  STORAGE_DIR: "/srv/objects",
  MOUNT_COMMAND: "mount {bucket} {mountPoint}"
}

/** Every variable read for some storage kind and sync mode. */
const allVariablesRead = (): Set<string> => {
  const all = new Set<string>()
  for (const storage of ["gcs", "s3", "dir"])
    for (const syncMode of ["api", "mount"])
      for (const name of variablesRead({ ...COMPLETE, STORAGE: storage, SYNC_MODE: syncMode })) all.add(name)
  return all
}

describe("PRODUCTION_DEPLOYMENT.md, walked as data", () => {
  const guide = read("PRODUCTION_DEPLOYMENT.md")
  const commands = flyCommands(guide)

  it("names the flyctl version whose flags it uses, and every flag of every fly command exists in it", () => {
    assert.include(guide, `flyctl **${FLYCTL.flyctl}**`)
    assert.isAtLeast(commands.length, 6)
    for (const command of commands) {
      const { known, flags } = parseFly(command)
      assert.isDefined(known, `flyctl ${FLYCTL.flyctl} has no command for: ${command}`)
      for (const flag of flags)
        assert.include(
          [...(FLYCTL.commands[known!] ?? [])],
          flag,
          `\`${known} --${flag}\` does not exist in ${FLYCTL.flyctl}`
        )
    }
  })

  it("machines run the image label the deploy pushed, sized by Fly's rules, on their own root file system", () => {
    const deploy = commands.map(parseFly).find((c) => c.known === "fly deploy")!
    assert.includeMembers(deploy.flags, ["build-only", "push", "image-label"])
    const label = deploy.flagValue("image-label")!
    const app = (parseToml(read("fly.toml")) as { app: string }).app
    // Machines created from an image (a mention such as `fly machine run --user` in prose names no image).
    const runs = commands
      .map(parseFly)
      .filter((c) => c.known === "fly machine run" && c.parts[3] !== undefined && !c.parts[3].startsWith("--"))
    assert.isAtLeast(runs.length, 2)
    for (const run of runs) {
      assert.strictEqual(run.parts[3], `registry.fly.io/${app}:${label}`, "the image the deploy pushed, by its label")
      assert.notInclude(run.flags, "volume", "a volume attaches to one machine")
      assert.include(run.flags, "rootfs-size")
      assert.strictEqual(run.flagValue("restart"), "no")
      assert.deepStrictEqual(
        flySizingProblems({
          cpu_kind: run.flagValue("vm-cpu-kind"),
          cpus: run.flagValue("vm-cpus"),
          memory: Number(run.flagValue("vm-memory"))
        }),
        []
      )
      for (const part of run.parts.filter((_, i) => run.parts[i - 1] === "--env")) {
        assert.isTrue(allVariablesRead().has(part.split("=")[0]!), `${part} is a variable the entrypoint reads`)
      }
    }
    assert.notInclude(guide, ":latest", "flyctl never tags an image latest")
  })

  it("names exactly the environment variables the entrypoint reads", () => {
    const table = guide.slice(guide.indexOf("## Configuration"), guide.indexOf("## Build and deploy"))
    const documented = new Set(
      [...table.matchAll(/^\| `([A-Z0-9_*]+)`/gm)].map((match) => match[1]!).filter((name) => name !== "SCHEDULER_*")
    )
    assert.deepStrictEqual([...documented].sort(), [...allVariablesRead()].sort())
    assert.match(table, /\| `SCHEDULER_\*` \|/, "the organization settings, read by the run")
  })

  it("its JSON (lifecycle rules) parses", () => {
    const documents = [...guide.matchAll(/<<'EOF'\n([\s\S]*?)\n\s*EOF/g)].map((match) => match[1]!)
    assert.lengthOf(documents, 2)
    for (const document of documents) assert.doesNotThrow(() => JSON.parse(document))
  })
})
