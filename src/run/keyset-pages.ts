import { Chunk, Effect, Option, Stream } from "effect"
import { type ContactPage, Database } from "../db/Database.js"
import { yieldToEventLoop } from "./event-loop.js"

const PAGE_SIZE = 10_000

/**
 * The next keyset cursor, proven to move forward: a page whose last id is not past the previous cursor would be read
 * again forever, so it ends the run with a defect instead (ids are kept within MAX_CONTACT_ID so this never happens).
 */
const advance = (after: number, lastId: number): Effect.Effect<number> =>
  lastId > after
    ? Effect.succeed(lastId)
    : Effect.dieMessage(`paging contacts made no progress (id ${lastId} after ${after}): stopped instead of looping`)

/**
 * Every non-empty page of a keyset read in ascending id: `read(after)` returns the page of ids greater than `after`,
 * whose `lastId` is undefined once nothing is left. The one keyset loop of the program; it yields to the event loop
 * between pages so a signal can stop a long read.
 */
export const keysetPages = <Page extends { readonly lastId: number | undefined }, E, R>(
  read: (after: number) => Effect.Effect<Page, E, R>
): Stream.Stream<Page, E, R> =>
  Stream.paginateChunkEffect(0, (after: number) =>
    Effect.flatMap(read(after), (page) =>
      page.lastId === undefined
        ? Effect.succeed([Chunk.empty<Page>(), Option.none<number>()] as const)
        : advance(after, page.lastId).pipe(
            Effect.zipLeft(yieldToEventLoop),
            Effect.map((next) => [Chunk.of(page), Option.some(next)] as const)
          )
    )
  )

/** Hands every contact row, a keyset page at a time in ascending id, to `onPage`. */
export const forEachContactPage = (onPage: (page: ContactPage) => void) =>
  Effect.flatMap(Database, (db) =>
    Stream.runForEach(
      keysetPages((after) => db.contactsPage(after, PAGE_SIZE)),
      (page) => Effect.sync(() => onPage(page))
    )
  )
