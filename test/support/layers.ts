import { Layer } from "effect"
import { DatabaseInMemory } from "../../src/node.js"
import { RunServicesLive } from "../../src/run/index.js"

/**
 * The test database with Node's file system (where a run keeps its staging file) and the live rules and business clock
 * (TestClock drives it).
 */
export const DatabaseTest = Layer.merge(DatabaseInMemory, RunServicesLive)
