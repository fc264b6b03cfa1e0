import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "vitest"

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")

describe("deployment files", () => {
  it("fly.toml is valid TOML with one volume at /app/data, a 4-CPU performance VM and no restart loop", () => {
    // Python's standard tomllib is a real TOML 1.0 parser (python3 is installed for node-gyp anyway).
    const parsed = spawnSync(
      "python3",
      ["-c", "import json,sys,tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"],
      {
        input: read("fly.toml"),
        encoding: "utf8"
      }
    )
    assert.strictEqual(parsed.status, 0, parsed.stderr)
    const fly = JSON.parse(parsed.stdout)
    assert.deepStrictEqual(fly.mounts, { source: "scheduler_data", destination: "/app/data", initial_size: "20gb" })
    assert.deepStrictEqual(fly.vm, [{ cpu_kind: "performance", cpus: 4, memory: "4gb" }])
    assert.deepStrictEqual(fly.restart, [{ policy: "never" }])
    assert.isUndefined(fly.http_service, "a one-shot job serves nothing")
  })

  it("the Dockerfile is multi-stage on bookworm-slim Node 20, prunes dev dependencies and runs the entrypoint", () => {
    const dockerfile = read("Dockerfile")
    assert.match(dockerfile, /ARG NODE_IMAGE=node:20\.[\d.]+-bookworm-slim/)
    assert.isAtLeast(dockerfile.match(/^FROM /gm)?.length ?? 0, 3)
    assert.include(dockerfile, "npm prune --omit=dev")
    assert.include(dockerfile, "make sqlite3_rsync")
    assert.match(dockerfile, /apt-get install -y --no-install-recommends gcsfuse/)
    assert.include(dockerfile, "fuse3")
    assert.match(dockerfile, /^USER node$/m)
    assert.match(dockerfile, /^ENTRYPOINT \["node", "--max-old-space-size=1024", "dist\/entrypoint\.js"\]$/m)
    // The image copies exactly what the build produced: the entry point must be where ENTRYPOINT expects it.
    const build = JSON.parse(read("tsconfig.build.json"))
    assert.include(build.include, "entrypoint.ts")
  })
})
