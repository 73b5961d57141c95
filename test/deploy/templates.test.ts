/**
 * The templates of deploy/ as shipped: what SPEC §3 forbids is absent, what it requires is present, every
 * rendering is accepted by the balancer itself (`haproxy -c`, `apache2 -t`), and the renderer's command
 * line prints a configuration or says clearly what is wrong with its arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMING, TEMPLATES, parseNodes, render, type TemplateName } from '../../deploy/render.mjs';
import { ensureBalancer, validate } from '../helpers/balancers.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const names = Object.keys(TEMPLATES) as TemplateName[];
const source = (name: TemplateName): string => readFileSync(DEPLOY + TEMPLATES[name].file, 'utf8');
const PAIRS = [{ id: '749', addrs: ['127.0.0.1:7031', '127.0.0.1:7041'] }, { id: '753', addrs: ['127.0.0.1:7032', '127.0.0.1:7042'] }];
const nodesFor = (name: TemplateName) =>
  name.endsWith('-node') ? PAIRS.slice(0, 1) : name.endsWith('-external') ? [{ id: '749', addrs: ['127.0.0.1:3482'] }, { id: '753', addrs: ['127.0.0.1:3483'] }] : PAIRS;

test('no HAProxy template uses appsession (fatal since 1.6) or learns the route from responses (SPEC §3)', () => {
  for (const name of names.filter((n) => n.startsWith('haproxy'))) {
    const text = source(name);
    for (const forbidden of [/^\s*appsession\b/m, /stick\s+store-response/, /^\s*cookie\s/m, /^\s*stick-table\b/m]) {
      assert.doesNotMatch(text, forbidden, `${name}`);
    }
    assert.match(text, /option httpchk GET \/heartbeat\n/, name);
    assert.match(text, /http-check expect status 200/, name);
  }
  for (const name of ['haproxy-external', 'haproxy-flat'] as const) {
    assert.match(source(name), /req\.cook\(ORSSESSIONID\),field\(2,\.,0\) -m str \{\{route\}\}/, `${name} routes on the cookie's route part`);
  }
});

test('no Apache template uses ProxyPassReverse (a redirect loop in front of ORS, SPEC §3); all are sticky on the route with checks', () => {
  for (const name of names.filter((n) => n.startsWith('apache'))) {
    const text = source(name);
    assert.doesNotMatch(text, /^\s*ProxyPassReverse/im, name);
    assert.match(text, /stickysession=ORSSESSIONID/, name);
    const members = render(name, { listen: '127.0.0.1:1', nodes: nodesFor(name) }).split('\n').filter((l) => /^\s*BalancerMember/.test(l));
    assert.ok(members.length > 0, name);
    for (const m of members) {
      assert.match(m, / route=node(749|753) /, `${name}: every member carries its pair's route`);
      assert.match(m, /hcmethod=GET hcuri=\/heartbeat hcexpr=ors_primary /, `${name}: every member is checked on /heartbeat`);
    }
  }
});

test('the shipped check timing: fast at the node tier, tolerant of one per-node failover at the external tier', () => {
  const node = DEFAULT_TIMING.node;
  const ext = DEFAULT_TIMING.external;
  // A process that turned backup (503) or died (refused) fails its checks at once.
  const nodeWindow = node.inter + (node.fall - 1) * node.fastinter;
  assert.ok(nodeWindow <= 1000, `a node-tier failover is seen within ${nodeWindow} ms`);
  assert.ok(node.timeout >= 1000, 'one slow heartbeat of a busy primary does not fail a check');
  // After its first failed check the external tier needs fall - 1 more, `fastinter` apart.
  assert.ok((ext.fall - 1) * ext.fastinter >= 2 * nodeWindow, 'the external tier gives a node up only after more than one per-node window');
  assert.match(render('apache-node', { listen: '127.0.0.1:1', nodes: nodesFor('apache-node') }), /hcinterval=500ms hcfails=2 hcpasses=1/);
  assert.match(render('apache-external', { listen: '127.0.0.1:1', nodes: nodesFor('apache-external') }), /hcinterval=1 hcfails=4 hcpasses=1/);
});

for (const name of names) {
  test(`${name}: the rendered configuration is valid for the balancer itself`, async () => {
    const kind = name.startsWith('haproxy') ? 'haproxy' : 'apache';
    await ensureBalancer(kind);
    const r = validate(kind, name, nodesFor(name));
    assert.ok(r.ok, r.output);
  });
}

test('render.mjs prints a configuration, and names what is wrong with bad arguments', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [DEPLOY + 'render.mjs', ...args], { encoding: 'utf8' });
  const ok = run('haproxy-external', '--listen', '0.0.0.0:8080', '--nodes', '749=lb1.example:3482 753=lb2.example:3482');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /bind 0\.0\.0\.0:8080/);
  assert.match(ok.stdout, /use-server node749_a if \{ req\.cook\(ORSSESSIONID\),field\(2,\.,0\) -m str node749 \}/);
  assert.match(ok.stdout, /server node753_a lb2\.example:3482/);
  const bad = run('haproxy-flat', '--listen', '0.0.0.0:8080', '--nodes', '749=10.0.0.5');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"10\.0\.0\.5" in "749=10\.0\.0\.5" is not HOST:PORT/);
  const unknown = run('nginx-flat', '--listen', '0.0.0.0:8080', '--nodes', '1=a:1');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown template "nginx-flat"; one of: haproxy-node/);
  const twoPairs = run('apache-node', '--listen', '0.0.0.0:3482', '--nodes', '1=a:1,a:2 2=b:1,b:2');
  assert.equal(twoPairs.status, 2);
  assert.match(twoPairs.stderr, /apache-node is one node's balancer: give exactly one node in --nodes \(got 2\); use apache-flat for several/);
});

test('parseNodes: pairs by id, each address HOST:PORT, no node twice', () => {
  assert.deepEqual(parseNodes('749=10.0.0.5:7031,10.0.0.5:7041; 753=h:1'), [
    { id: '749', addrs: ['10.0.0.5:7031', '10.0.0.5:7041'] },
    { id: '753', addrs: ['h:1'] },
  ]);
  assert.throws(() => parseNodes('node749=h:1'), /is not ID=HOST:PORT/);
  assert.throws(() => parseNodes('1=h:1 1=h:2'), /node 1 is listed twice/);
  assert.throws(() => parseNodes(''), /no node given/);
});
