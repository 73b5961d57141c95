/** The Store contract on a real 3-master Redis Cluster (redis-cli --cluster create). */
import { connectRedisStore } from '../../src/store/index.js';
import { startRedisCluster } from '../helpers/redis.js';
import { storeContract } from './contract.js';

// A generous command timeout: the machine running the suite may be busy; timeouts are not tested here.
storeContract('3-master Redis Cluster', async () => {
  const cluster = await startRedisCluster(3);
  return {
    open: (prefix, hooks) => connectRedisStore({ nodes: cluster.nodes, prefix, commandTimeoutMs: 10_000, ...hooks }),
    close: () => cluster.stop(),
  };
});
