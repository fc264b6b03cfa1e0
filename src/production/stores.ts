/**
 * The object store the environment describes, as a layer: the store's API (GCS, S3/Tigris, a directory), or in mount
 * mode (self-hosted only) the bucket mounted for the scope's lifetime and used as a directory store.
 */
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer, Option, Runtime, type Scope } from "effect"
import { directoryStore } from "../storage/directory-store.js"
import { gcsKeyFile } from "../storage/gcs-key-file.js"
import { mountBucket, sqliteCopy } from "../storage/mount.js"
import { ObjectStore } from "../storage/ObjectStore.js"
import type { ProductionConfig, StorageSettings } from "./config.js"

/** The service-account key file, when one is configured: a private temporary file for the scope's lifetime. */
const keyFileOf = (storage: StorageSettings) =>
  storage._tag === "gcs" && Option.isSome(storage.keyFileJson)
    ? Effect.map(gcsKeyFile(storage.keyFileJson.value), (file) => file.path)
    : Effect.succeed(undefined)

// Each cloud SDK is loaded only when its store is used: a job holds one of them in memory, a directory store none.
const s3Module = Effect.promise(() => import("../storage/s3-store.js"))
const gcsModule = Effect.promise(() => import("../storage/gcs-store.js"))

/** The store's API client for the scope's lifetime (the S3 client's sockets are released when it closes). */
const apiStore = (
  storage: StorageSettings,
  keyFile: string | undefined
): Effect.Effect<typeof ObjectStore.Service, never, Scope.Scope> => {
  switch (storage._tag) {
    case "dir":
      return Effect.succeed(directoryStore(storage.directory))
    case "s3":
      return Effect.flatMap(s3Module, ({ s3StoreScoped }) =>
        s3StoreScoped({
          bucket: storage.bucket,
          endpoint: Option.getOrUndefined(storage.endpoint),
          region: storage.region,
          accessKeyId: storage.accessKeyId,
          secretAccessKey: storage.secretAccessKey,
          partSize: storage.partSizeMib * 1024 * 1024,
          ...Option.match(storage.tigrisConsistent, {
            onNone: () => ({}),
            onSome: (tigrisConsistent) => ({ tigrisConsistent })
          })
        })
      )
    case "gcs":
      return Effect.map(gcsModule, ({ gcsStore }) =>
        gcsStore({
          bucket: storage.bucket,
          keyFilename: keyFile,
          ...(Option.isSome(storage.apiEndpoint) ? { apiEndpoint: storage.apiEndpoint.value } : {})
        })
      )
  }
}

/** Fills {bucket}, {mountPoint} and {keyFileOption} into a command template and splits it into arguments. */
const command = (template: string, config: ProductionConfig, keyFile: string | undefined): ReadonlyArray<string> => {
  const bucket = config.storage._tag === "dir" ? config.storage.directory : config.storage.bucket
  return template
    .replaceAll("{keyFileOption}", keyFile === undefined ? "" : `--key-file ${keyFile}`)
    .replaceAll("{bucket}", bucket)
    .replaceAll("{mountPoint}", config.mount.point)
    .split(/\s+/)
    .filter((part) => part !== "")
}

/**
 * API mode talks to the store's SDK; mount mode (the predecessor's way) mounts the bucket for the scope's lifetime and
 * uses it as a directory store whose copies go through SQLite. Both pin the version read and push conditionally.
 */
export const storeLayer = (config: ProductionConfig) =>
  Layer.scoped(
    ObjectStore,
    Effect.gen(function* () {
      const keyFile = yield* keyFileOf(config.storage)
      if (config.syncMode === "api") return yield* apiStore(config.storage, keyFile)
      const mountPoint = yield* mountBucket({
        command: command(config.mount.command, config, keyFile),
        unmountCommand: command(config.mount.unmountCommand, config, keyFile),
        mountPoint: config.mount.point
      })
      // The directory store copies with promises; each copy runs on this layer's services (commands, files).
      const runtime = yield* Effect.runtime<CommandExecutor | FileSystem.FileSystem>()
      const copy = (source: string, destination: string) => Runtime.runPromise(runtime)(sqliteCopy(source, destination))
      return directoryStore(mountPoint, { copy, description: `mount:${mountPoint}` })
    })
  ).pipe(Layer.provide(NodeContext.layer))

/** The store's API alone (the fleet dispatcher reads the jobs' reports through it). */
export const apiStoreLayer = (storage: StorageSettings) =>
  Layer.scoped(
    ObjectStore,
    Effect.flatMap(keyFileOf(storage), (keyFile) => apiStore(storage, keyFile))
  ).pipe(Layer.provide(NodeFileSystem.layer))
