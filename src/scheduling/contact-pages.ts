import { Effect } from "effect"
import { type ContactPage, Database } from "../db/Database.js"
import { yieldToEventLoop } from "./event-loop.js"

const PAGE_SIZE = 10_000

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
      after = page.lastId
      yield* yieldToEventLoop
    }
  })
