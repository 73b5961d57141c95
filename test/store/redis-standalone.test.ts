/** The Store contract on a real standalone redis-server (one per file, a key prefix per test). */
import { connectRedisStore } from '../../src/store/index.js';
import { startRedisServer } from '../helpers/redis.js';
import { storeContract } from './contract.js';

storeContract('standalone Redis', async () => {
  const redis = await startRedisServer();
  return {
    open: (prefix, hooks) => connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }], prefix, ...hooks }),
    close: () => redis.stop(),
  };
});
