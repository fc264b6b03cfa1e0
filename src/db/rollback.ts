import { SqlClient } from "@effect/sql"
import { Data, Effect, Option, Ref } from "effect"
import { DatabaseError } from "./errors.js"

/** Ends a transaction with a rollback once its result is safely stored. */
class Rollback extends Data.TaggedError("Rollback") {}

/**
 * Runs `effect` inside one transaction and rolls every change back (migrations included), returning its result:
 * a dry run or an explanation sees exactly what a real run would, and the file stays byte-identical.
 */
export const inRolledBackTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const result = yield* Ref.make(Option.none<A>())
    yield* sql
      .withTransaction(
        Effect.flatMap(effect, (value) => Ref.set(result, Option.some(value))).pipe(Effect.zipRight(new Rollback()))
      )
      .pipe(
        Effect.catchTag("Rollback", () => Effect.void),
        Effect.catchTag("SqlError", (cause) => new DatabaseError({ operation: "rolled-back transaction", cause }))
      )
    return yield* Effect.flatMap(Ref.get(result), (value) =>
      Option.match(value, {
        onSome: Effect.succeed,
        onNone: () => Effect.dieMessage("a rolled-back transaction finished without a result")
      })
    )
  })
