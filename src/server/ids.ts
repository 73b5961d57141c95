/**
 * Session ids carry their owning node (SPEC §3 "owner from the id"): `<node id>-<20 hex digits>`,
 * e.g. `749-0f3a9c2e71b4d85a6c10`. No '.', so `ORSSESSIONID=<SID>.node<id>` splits at the first dot;
 * only URL-safe characters, so the id goes into paths as it is.
 */
import { randomFillSync } from 'node:crypto';

const SESSION_ID = /^([1-9][0-9]{0,9})-[0-9a-f]{20}$/;

/** The node id a session id names, or undefined when the text is not a session id of this format. */
export function nodeOfSessionId(id: string): number | undefined {
  const m = SESSION_ID.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** Generates ids for one node; random bytes are drawn 4 KiB at a time (one syscall per ~400 ids). */
export function sessionIdGenerator(nodeId: number): () => string {
  const pool = Buffer.alloc(4000);
  let at = pool.length;
  const prefix = `${nodeId}-`;
  return () => {
    if (at + 10 > pool.length) { randomFillSync(pool); at = 0; }
    const id = prefix + pool.toString('hex', at, at + 10);
    at += 10;
    return id;
  };
}

/**
 * `Set-Cookie` for a session (SPEC §3): `<SID>.node<id>`, the route being the node (SPEC §1); the
 * path is per session so clients never pin all sessions to one node.
 */
export function sessionCookie(sessionid: string, nodeId: number): string {
  return `ORSSESSIONID=${sessionid}.node${nodeId}; Path=/scxml/session/${sessionid}`;
}
