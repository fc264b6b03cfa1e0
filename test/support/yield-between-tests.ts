import { afterEach } from "vitest"

/**
 * Tests that run child processes with spawnSync block their worker for seconds at a time. Between two tests, let the
 * worker's event loop take in what vitest's main process sent it, or a file of such tests that lasts over a minute
 * makes vitest report a timeout of its own reporting calls.
 */
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)))
