/** The store (SPEC §4): what the cluster layer imports. */
export type * from './types.js';
export type * from './interactions.js';
export { queueNameProblem, MAX_CALL_ID, MAX_QUEUE_NAME, MAX_PULL } from './interactionArgs.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { RegistryCache, type RegistryCacheOptions } from './registryCache.js';
export { StoreUnavailableError, isStoreUnavailable } from './errors.js';
export { RedisStore, connectRedisStore, type RedisStoreOptions } from './redis/store.js';
export type { RedisEndpoint } from './redis/connection.js';
export { parseRedisNodes } from './redis/endpoints.js';
