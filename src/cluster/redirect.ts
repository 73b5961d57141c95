/**
 * Where a session call or a start goes when this process must not serve it (SPEC §3 "Wrong node",
 * "Backup"; the seed's "Load Balancing for RESTful Interface" priorities):
 *
 * 1. another node's session reaching a primary → the owner's `external-url` (its per-node balancer);
 * 2. a request reaching a backup, or an owner without external-url → the owner's current primary by
 *    its advertised address;
 * 3. no live primary for the owner in the cached registry → `503 no_primary`, never a dead address;
 * 4. a request that was already redirected once (it carries {@link REDIRECT_MARK}) → `503 no_primary`:
 *    no request is ever redirected twice, so a stale balancer view or a misconfigured external-url
 *    (a cluster-wide balancer, ProxyPassReverse) can cost one failed call, never a loop.
 *
 * Everything comes from the session id and the in-memory registry cache: no store round trip on the
 * request path (SPEC §3 "Owner from the id").
 */
import type { NodeId, RegistryCache } from '../store/index.js';

/**
 * The query parameter a redirect adds to `Location`. A 307 cannot make the client add a header, and
 * the session cookie is present on normal requests too, so the mark travels in the URL. Nodes take
 * it out before reading parameters: it never reaches `_event.data` or a start's `<data>`.
 */
export const REDIRECT_MARK = '_ors_redirected=1';

/** What the decision needs to know about the process that received the request. */
export interface RedirectView {
  readonly nodeId: NodeId;
  readonly role: 'primary' | 'backup';
  /** This process's advertised base URL (a redirect to it would be a loop). */
  readonly self: string;
  /** The node registry as this process caches it; undefined: one process alone (embedded store). */
  readonly registry: RegistryCache | undefined;
}

export type Decision =
  | { readonly kind: 'serve' }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'no_primary'; readonly node: NodeId };

const SERVE: Decision = { kind: 'serve' };

/**
 * The decision for a request about node `owner` (a session's owner from its id, or this node for a
 * start). `path` and `query` are the request's (query without the mark); `redirected` is whether it
 * carried the mark.
 */
export function decide(view: RedirectView, owner: NodeId, path: string, query: string, redirected: boolean): Decision {
  if (owner === view.nodeId && view.role === 'primary') return SERVE;
  const registry = view.registry;
  if (registry === undefined || redirected) return { kind: 'no_primary', node: owner };
  const primary = registry.primaryOf(owner);
  if (primary === null) return { kind: 'no_primary', node: owner };
  // The external-url reaches only the owner's processes and its balancer keeps backups out: the first
  // choice of a primary. A backup sends to the primary itself (seed: "redirected to the ORS instance
  // running in Primary mode by its configured Host and port").
  const external = view.role === 'primary' ? registry.externalUrlOf(owner) : null;
  if (external !== null) return { kind: 'redirect', location: locationOf(external, path, query) };
  if (sameBase(primary.address, view.self)) return { kind: 'no_primary', node: owner };
  return { kind: 'redirect', location: locationOf(primary.address, path, query) };
}

/** `base` (which may end in '/' or carry a path prefix) + the request's path and query + the mark. */
export function locationOf(base: string, path: string, query: string): string {
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${root}${path}?${query === '' ? REDIRECT_MARK : `${query}&${REDIRECT_MARK}`}`;
}

function sameBase(a: string, b: string): boolean {
  const strip = (s: string): string => (s.endsWith('/') ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}

/**
 * The query without the mark, or undefined when it carries none (the common case costs one
 * `indexOf`). Only a whole `&`-separated parameter counts.
 */
export function takeMark(query: string): string | undefined {
  let at = query.indexOf(REDIRECT_MARK);
  while (at >= 0) {
    const end = at + REDIRECT_MARK.length;
    if ((at === 0 || query[at - 1] === '&') && (end === query.length || query[end] === '&')) {
      const before = at === 0 ? '' : query.slice(0, at - 1);
      const after = end === query.length ? '' : query.slice(end + 1);
      return before === '' ? after : after === '' ? before : `${before}&${after}`;
    }
    at = query.indexOf(REDIRECT_MARK, end);
  }
  return undefined;
}
