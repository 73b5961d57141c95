#!/usr/bin/env node
// Renders the load-balancer templates of deploy/ (docs/deploy.md) for an operator or a test:
//   node deploy/render.mjs haproxy-external --listen 0.0.0.0:8080 --nodes "749=lb1:3482 753=lb2:3482"
// Plain JavaScript (no build step) so that an operator can run it with nothing but Node installed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

/** Template name → file, and the tier whose default check timing it uses. */
export const TEMPLATES = Object.freeze({
  'haproxy-node': { file: 'haproxy/node.cfg.tmpl', tier: 'node' },
  'haproxy-external': { file: 'haproxy/external.cfg.tmpl', tier: 'external' },
  'haproxy-flat': { file: 'haproxy/flat.cfg.tmpl', tier: 'node' },
  'apache-node': { file: 'apache/node.conf.tmpl', tier: 'node' },
  'apache-external': { file: 'apache/external.conf.tmpl', tier: 'external' },
  'apache-flat': { file: 'apache/flat.conf.tmpl', tier: 'node' },
});

/**
 * Shipped check timing (ms). The node tier sees a process change role (503) or die (refused) and reacts
 * within inter + fastinter = 0.75 s; the external tier checks a node's balancer, which answers 503 while
 * its pair fails over, so it gives up on a whole node only after 4 failed checks a second apart, 3-4 s
 * (SPEC §3: tolerate one per-node window; no faster `fastinter` there, it would shorten that to 1.5 s). `timeout` only matters for a process that hangs: a busy primary must not
 * be taken out by one slow answer, and a hung one cannot be replaced before its lease expires anyway.
 */
export const DEFAULT_TIMING = Object.freeze({
  node: Object.freeze({ inter: 500, fastinter: 250, fall: 2, rise: 1, timeout: 1000 }),
  external: Object.freeze({ inter: 1000, fastinter: 1000, fall: 4, rise: 1, timeout: 2000 }),
});

/** `ORS request-timeout` is 30 s by default (SPEC §2): a held `/request` must outlive it at the balancer. */
export const DEFAULT_SERVER_TIMEOUT_S = 35;

/** The Apache modules the templates need, for a standalone server (`--standalone DIR`). */
export const APACHE_MODULES = Object.freeze([
  'mpm_event', 'authz_core', 'slotmem_shm', 'proxy', 'proxy_http', 'proxy_balancer',
  'lbmethod_byrequests', 'proxy_hcheck',
]);

/**
 * Parses node pairs: entries `ID=ADDR[,ADDR...]` separated by spaces or `;`. ADDR is `host:port`.
 * For a per-node or flat template the addresses are the node's processes; for the external template
 * it is the node's own balancer (its `orchestration.external-url`).
 */
export function parseNodes(text) {
  const nodes = [];
  for (const entry of String(text).split(/[\s;]+/).filter(Boolean)) {
    const m = /^(\d+)=(.+)$/.exec(entry);
    if (!m) throw new Error(`--nodes: "${entry}" is not ID=HOST:PORT[,HOST:PORT...] (for example 749=10.0.0.5:7031,10.0.0.5:7041)`);
    const addrs = m[2].split(',').filter(Boolean);
    for (const a of addrs) {
      if (!/^[^\s:/]+:\d{1,5}$/.test(a)) throw new Error(`--nodes: "${a}" in "${entry}" is not HOST:PORT`);
    }
    if (nodes.some((n) => n.id === m[1])) throw new Error(`--nodes: node ${m[1]} is listed twice; list all its addresses in one entry`);
    nodes.push({ id: m[1], addrs });
  }
  if (nodes.length === 0) throw new Error('--nodes: no node given (for example --nodes "749=10.0.0.5:7031,10.0.0.5:7041")');
  return nodes;
}

/** Apache writes intervals in seconds unless a unit is given; `ms` keeps sub-second test timings exact. */
function apacheInterval(ms) {
  return ms % 1000 === 0 ? String(ms / 1000) : `${ms}ms`;
}

/** The values a template sees. */
export function view(template, options) {
  const spec = TEMPLATES[template];
  if (!spec) throw new Error(`unknown template "${template}"; one of: ${Object.keys(TEMPLATES).join(', ')}`);
  const timing = { ...DEFAULT_TIMING[spec.tier], ...(options.timing ?? {}) };
  if (!/^[^\s]+:\d{1,5}$/.test(options.listen ?? '')) throw new Error(`--listen: "${options.listen ?? ''}" is not HOST:PORT`);
  // A per-node balancer serves one pair: two pairs behind it would share one pool and lose stickiness.
  if (template.endsWith('-node') && options.nodes.length !== 1) {
    throw new Error(`${template} is one node's balancer: give exactly one node in --nodes (got ${options.nodes.length}); use ${template.replace('-node', '-flat')} for several`);
  }
  const nodes = options.nodes.map((n) => ({
    id: n.id,
    route: `node${n.id}`,
    servers: n.addrs.map((addr, i) => ({ name: `node${n.id}_${String.fromCharCode(97 + i)}`, addr, route: `node${n.id}` })),
  }));
  const standalone = options.standalone
    ? {
        dir: options.standalone.dir,
        modules: APACHE_MODULES.map((m) => ({ name: m })),
        runAs: options.standalone.user ? { user: options.standalone.user, group: options.standalone.group ?? options.standalone.user } : false,
      }
    : false;
  return {
    listen: options.listen,
    nodes,
    servers: nodes.flatMap((n) => n.servers),
    ...timing,
    hcinterval: apacheInterval(timing.inter),
    serverTimeout: options.serverTimeout ?? DEFAULT_SERVER_TIMEOUT_S,
    standalone,
  };
}

/**
 * A small subset of Mustache: `{{name}}` (dotted paths allowed), and `{{#name}}…{{/name}}` which repeats
 * its body for each item of a list, or renders it once with the same scope for a truthy non-list value.
 */
export function fill(text, scope) {
  const lookup = (name, scopes) => {
    for (const s of scopes) {
      let v = s;
      for (const part of name.split('.')) v = v == null ? undefined : v[part];
      if (v !== undefined) return v;
    }
    throw new Error(`template: no value for {{${name}}}`);
  };
  const run = (src, scopes) =>
    src.replace(/\{\{#([\w.]+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?|\{\{([\w.]+)\}\}/g, (_, section, body, name) => {
      if (name) return String(lookup(name, scopes));
      const v = lookup(section, scopes);
      if (Array.isArray(v)) return v.map((item) => run(body, [item, ...scopes])).join('');
      return v ? run(body, [v, ...scopes]) : '';
    });
  return run(text, [scope]);
}

/** Renders one template to the configuration text. */
export function render(template, options) {
  const v = view(template, options);
  const body = fill(readFileSync(DIR + TEMPLATES[template].file, 'utf8'), v);
  if (!template.startsWith('apache-') || !v.standalone) return body;
  return fill(readFileSync(DIR + 'apache/standalone.conf.tmpl', 'utf8'), v) + body;
}

function usage() {
  return [
    'usage: node deploy/render.mjs TEMPLATE --listen HOST:PORT --nodes "ID=HOST:PORT[,HOST:PORT] ..."',
    '       [--inter MS] [--fastinter MS] [--fall N] [--rise N] [--timeout MS] [--server-timeout S]',
    '       [--standalone DIR [--user USER] [--group GROUP]]   (Apache: a whole server rooted in DIR)',
    `templates: ${Object.keys(TEMPLATES).join(', ')}`,
  ].join('\n');
}

function main(argv) {
  const [template, ...rest] = argv;
  if (!template || template === '--help' || template === '-h') { console.log(usage()); return 0; }
  const opts = { timing: {} };
  let standaloneDir, user, group;
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (value === undefined) throw new Error(`${flag}: a value is missing\n${usage()}`);
    if (flag === '--listen') opts.listen = value;
    else if (flag === '--nodes') opts.nodes = [...(opts.nodes ?? []), ...parseNodes(value)];
    else if (['--inter', '--fastinter', '--fall', '--rise', '--timeout'].includes(flag)) {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${flag}: "${value}" is not a positive whole number`);
      opts.timing[flag.slice(2)] = Number(value);
    } else if (flag === '--server-timeout') {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--server-timeout: "${value}" is not a positive whole number of seconds`);
      opts.serverTimeout = Number(value);
    } else if (flag === '--standalone') standaloneDir = value;
    else if (flag === '--user') user = value;
    else if (flag === '--group') group = value;
    else throw new Error(`unknown option ${flag}\n${usage()}`);
  }
  if (!opts.nodes) throw new Error(`--nodes is required\n${usage()}`);
  if (standaloneDir) opts.standalone = { dir: standaloneDir, user, group };
  process.stdout.write(render(template, opts));
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try { process.exitCode = main(process.argv.slice(2)); } catch (e) { console.error(`render: ${e.message}`); process.exitCode = 2; }
}
