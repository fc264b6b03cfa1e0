import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"
import { keysetPages } from "../../src/run/index.js"

/** A table of ids read `size` at a time, as the Database's keyset reads do. */
const pagesOf = (ids: ReadonlyArray<number>, size: number) => (after: number) =>
  Effect.sync(() => {
    const page = ids.filter((id) => id > after).slice(0, size)
    return { ids: page, lastId: page.at(-1) }
  })

describe("keysetPages: the one keyset loop", () => {
  it.effect("reads every page in order and stops at the first empty one", () =>
    Effect.gen(function* () {
      const pages = yield* Stream.runCollect(keysetPages(pagesOf([2, 3, 5, 8, 13, 21, 34], 3)))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(pages).map((page) => page.ids),
        [[2, 3, 5], [8, 13, 21], [34]]
      )
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(keysetPages(pagesOf([], 3)))), 0)
    })
  )

  it.effect("a page that does not move past the cursor ends the read with a defect instead of looping", () =>
    Effect.gen(function* () {
      const stuck = keysetPages(() => Effect.succeed({ lastId: 7 }))
      const exit = yield* Effect.exit(Stream.runDrain(stuck))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "made no progress")
    })
  )
})
