/**
 * The object store the environment describes, as a layer: the store's API (GCS, S3/Tigris, a directory), or in mount
 * mode (self-hosted only) the bucket mounted for the scope's lifetime and used as a directory store.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import { directoryStore } from "../storage/directory-store.js"
import { gcsKeyFile } from "../storage/gcs-key-file.js"
import { gcsStore } from "../storage/gcs-store.js"
import { mountBucket, sqliteCopy } from "../storage/mount.js"
import { ObjectStore } from "../storage/ObjectStore.js"
import { s3Store } from "../storage/s3-store.js"
import type { ProductionConfig, StorageSettings } from "./config.js"

/** The service-account key file, when one is configured: a private temporary file for the scope's lifetime. */
const keyFileOf = (storage: StorageSettings) =>
  storage._tag === "gcs" && Option.isSome(storage.keyFileJson)
    ? Effect.map(gcsKeyFile(storage.keyFileJson.value), (file) => file.path)
    : Effect.succeed(undefined)

const apiStore = (storage: StorageSettings, keyFile: string | undefined) => {
  switch (storage._tag) {
    case "dir":
      return directoryStore(storage.directory)
    case "s3":
      return s3Store({
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
    case "gcs":
      return gcsStore({
        bucket: storage.bucket,
        keyFilename: keyFile,
        ...(Option.isSome(storage.apiEndpoint) ? { apiEndpoint: storage.apiEndpoint.value } : {})
      })
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
      if (config.syncMode === "api") return apiStore(config.storage, keyFile)
      const mountPoint = yield* mountBucket({
        command: command(config.mount.command, config, keyFile),
        unmountCommand: command(config.mount.unmountCommand, config, keyFile),
        mountPoint: config.mount.point
      })
      return directoryStore(mountPoint, { copy: sqliteCopy, description: `mount:${mountPoint}` })
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

/** The store's API alone (the fleet dispatcher reads the jobs' reports through it). */
export const apiStoreLayer = (storage: StorageSettings) =>
  Layer.scoped(
    ObjectStore,
    Effect.map(keyFileOf(storage), (keyFile) => apiStore(storage, keyFile))
  ).pipe(Layer.provide(NodeFileSystem.layer))
