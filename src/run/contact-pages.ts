import { Effect } from "effect"
import { type ContactPage, Database } from "../db/Database.js"
import { yieldToEventLoop } from "./event-loop.js"

const PAGE_SIZE = 10_000

/**
 * The next keyset cursor, proven to move forward: a page whose last id is not past the previous cursor would be read
 * again forever, so it ends the run with a defect instead (ids are kept within MAX_CONTACT_ID so this never happens).
 */
export const advance = (after: number, lastId: number): Effect.Effect<number> =>
  lastId > after
    ? Effect.succeed(lastId)
    : Effect.dieMessage(`paging contacts made no progress (id ${lastId} after ${after}): stopped instead of looping`)

/**
 * Reads every contact row in ascending id, a keyset page at a time, and hands each page to `onPage`. Yields to the
 * event loop between pages so a signal can stop a long read.
 */
export const forEachContactPage = (onPage: (page: ContactPage) => void) =>
  Effect.gen(function* () {
    const db = yield* Database
    let after = 0
    for (;;) {
      const page = yield* db.contactsPage(after, PAGE_SIZE)
      if (page.lastId === undefined) return
      onPage(page)
      after = yield* advance(after, page.lastId)
      yield* yieldToEventLoop
    }
  })
