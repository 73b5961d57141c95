/** The Store contract on a real standalone redis-server (one per file, a key prefix per test). */
import { connectRedisStore } from '../../src/store/index.js';
import { startRedisServer } from '../helpers/redis.js';
import { storeContract } from './contract.js';

// A generous command timeout: the machine running the suite may be busy; timeouts are not tested here.
storeContract('standalone Redis', async () => {
  const redis = await startRedisServer();
  return {
    open: (prefix, hooks) => connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }], prefix, commandTimeoutMs: 10_000, ...hooks }),
    close: () => redis.stop(),
  };
});
