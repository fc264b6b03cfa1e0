import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit } from "effect"
import { productionConfig } from "../../src/production/config.js"

const withVariables = (variables: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

/** The problems of a configuration that must fail. */
const problemsWith = (variables: Record<string, string>) =>
  Effect.map(Effect.flip(productionConfig({ init: false })), (error) => error.problems).pipe(withVariables(variables))

describe("the production configuration (Effect's Config; every problem at once)", () => {
  it.effect("reports every missing or invalid variable in one ConfigError, in the order of the variables", () =>
    Effect.gen(function* () {
      const problems = yield* problemsWith({
        STORAGE: "s3",
        AWS_ACCESS_KEY_ID: "key",
        S3_PART_SIZE_MIB: "3",
        SYNC_MODE: "fuse",
        JOB_TIMEOUT: "soon",
        AS_OF: "1999-12-31"
      })
      assert.deepStrictEqual(problems, [
        "ORG_ID is not set",
        "BUCKET_NAME is not set",
        "AWS_SECRET_ACCESS_KEY is not set",
        'S3_PART_SIZE_MIB must be a whole number from 5 to 5120 (got "3")',
        'SYNC_MODE must be api or mount (got "fuse")',
        'AS_OF must be between 2000-01-01 and 2100-12-31 (got "1999-12-31")',
        'JOB_TIMEOUT must be a duration such as 45m, 90s or 2h (got "soon")'
      ])
    })
  )

  it.effect("a complete configuration reads with its defaults", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(productionConfig({ init: false })).pipe(
        withVariables({ ORG_ID: "acme", STORAGE: "dir", STORAGE_DIR: "/srv/objects", DATA_DIR: "/tmp/work" })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) {
        assert.strictEqual(exit.value.objectKey, "org-data/acme.db")
        assert.strictEqual(exit.value.syncMode, "api")
        assert.deepStrictEqual(exit.value.storage, { _tag: "dir", directory: "/srv/objects" })
      }
    })
  )

  it.effect(
    "checks across variables come once each variable is valid: a working copy inside the store is refused",
    () =>
      Effect.gen(function* () {
        const problems = yield* problemsWith({
          ORG_ID: "acme",
          STORAGE: "dir",
          STORAGE_DIR: "/srv",
          DATA_DIR: "/srv/work"
        })
        assert.deepStrictEqual(problems, ["DATA_DIR (/srv/work) and STORAGE_DIR (/srv) must not contain one another"])
      })
  )
})
