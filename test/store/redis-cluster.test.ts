/** The Store contract on a real 3-master Redis Cluster (redis-cli --cluster create). */
import { connectRedisStore } from '../../src/store/index.js';
import { startRedisCluster } from '../helpers/redis.js';
import { storeContract } from './contract.js';

storeContract('3-master Redis Cluster', async () => {
  const cluster = await startRedisCluster(3);
  return {
    open: (prefix, hooks) => connectRedisStore({ nodes: cluster.nodes, prefix, ...hooks }),
    close: () => cluster.stop(),
  };
});
