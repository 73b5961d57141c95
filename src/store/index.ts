/** The store (SPEC §4): what the cluster layer imports. */
export type * from './types.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { RegistryCache, type RegistryCacheOptions } from './registryCache.js';
export { StoreUnavailableError, isStoreUnavailable } from './errors.js';
export { RedisStore, connectRedisStore, type RedisStoreOptions } from './redis/store.js';
export type { RedisEndpoint } from './redis/connection.js';
export { parseRedisNodes } from './redis/endpoints.js';
