import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, RegistryCache } from '../store/index.js';
import { decide, locationOf, REDIRECT_MARK, takeMark, type RedirectView } from './redirect.js';

const tick = () => new Promise((r) => setImmediate(r));
const PATH = '/scxml/session/2-00000000000000000000/event/go';

async function registry(now: () => number) {
  const store = new MemoryStore({ now });
  const cache = await RegistryCache.start(store, { now });
  await store.acquire({ nodeId: 1, processId: 'p1', ttlMs: 3000, address: 'http://10.0.0.1:7031', externalUrl: 'http://lb1:3482' });
  await store.acquire({ nodeId: 2, processId: 'p2', ttlMs: 3000, address: 'http://10.0.0.2:7031', externalUrl: 'http://lb2:3482/' });
  await store.acquire({ nodeId: 3, processId: 'p3', ttlMs: 3000, address: 'http://10.0.0.3:7031', externalUrl: undefined });
  await tick();
  return { store, cache };
}

test('the owner\'s primary serves; another node\'s primary redirects to the owner\'s external-url, path and query kept, the mark added', async () => {
  const { cache } = await registry(() => 0);
  const p1: RedirectView = { nodeId: 1, role: 'primary', self: 'http://10.0.0.1:7031', registry: cache };
  assert.deepEqual(decide(p1, 1, PATH, 'a=1', false), { kind: 'serve' });
  assert.deepEqual(decide(p1, 2, PATH, 'a=1&b=%20', false), { kind: 'redirect', location: `http://lb2:3482${PATH}?a=1&b=%20&${REDIRECT_MARK}` });
  assert.deepEqual(decide(p1, 3, PATH, '', false), { kind: 'redirect', location: `http://10.0.0.3:7031${PATH}?${REDIRECT_MARK}` }, 'no external-url: the primary by its address');
  await cache.close();
});

test('a backup redirects to the owner\'s primary by address, its own node\'s included, never to itself', async () => {
  const { cache } = await registry(() => 0);
  const b1: RedirectView = { nodeId: 1, role: 'backup', self: 'http://10.0.0.11:7041', registry: cache };
  assert.deepEqual(decide(b1, 1, '/scxml/session/start', '', false), { kind: 'redirect', location: `http://10.0.0.1:7031/scxml/session/start?${REDIRECT_MARK}` });
  assert.deepEqual(decide(b1, 2, PATH, '', false), { kind: 'redirect', location: `http://10.0.0.2:7031${PATH}?${REDIRECT_MARK}` });
  const stale: RedirectView = { nodeId: 1, role: 'backup', self: 'http://10.0.0.1:7031/', registry: cache };
  assert.deepEqual(decide(stale, 1, PATH, '', false), { kind: 'no_primary', node: 1 }, 'a demoted primary still listed as primary');
  await cache.close();
});

test('no live primary, no registry, or a request redirected once already: 503 no_primary, never a redirect', async () => {
  let now = 0;
  const { store, cache } = await registry(() => now);
  const p1: RedirectView = { nodeId: 1, role: 'primary', self: 'http://10.0.0.1:7031', registry: cache };
  assert.deepEqual(decide(p1, 2, PATH, '', true), { kind: 'no_primary', node: 2 });
  assert.deepEqual(decide(p1, 9, PATH, '', false), { kind: 'no_primary', node: 9 }, 'an unknown node');
  assert.deepEqual(decide({ ...p1, registry: undefined }, 2, PATH, '', false), { kind: 'no_primary', node: 2 });
  assert.deepEqual(await store.release(2, 'p2', 1), { ok: true });
  await tick();
  assert.deepEqual(decide(p1, 2, PATH, '', false), { kind: 'no_primary', node: 2 }, 'released: the external-url is known but nobody serves behind it');
  now = 3000;
  assert.deepEqual(decide(p1, 3, PATH, '', false), { kind: 'no_primary', node: 3 }, 'the lease time passed without news');
  await cache.close();
});

test('the mark is taken out as a whole parameter only', () => {
  assert.equal(takeMark('a=1'), undefined);
  assert.equal(takeMark(REDIRECT_MARK), '');
  assert.equal(takeMark(`a=1&${REDIRECT_MARK}`), 'a=1');
  assert.equal(takeMark(`${REDIRECT_MARK}&a=1`), 'a=1');
  assert.equal(takeMark(`a=1&${REDIRECT_MARK}&b=2`), 'a=1&b=2');
  assert.equal(takeMark(`x${REDIRECT_MARK}`), undefined);
  assert.equal(takeMark(`${REDIRECT_MARK}0&a`), undefined);
  assert.equal(takeMark(`${REDIRECT_MARK}0&${REDIRECT_MARK}`), `${REDIRECT_MARK}0`);
  assert.equal(locationOf('http://h/ors/', '/heartbeat', ''), `http://h/ors/heartbeat?${REDIRECT_MARK}`);
});
