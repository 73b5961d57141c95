/**
 * The heavy cluster tests take the machine in turn. The runner runs two test files at once; two of
 * these (three nodes under load each, plus Redis and a simulator) on a 2-core machine stall event
 * loops past the HA lease (1.2 s), and what the test then measures is the machine, not ORS. A test
 * calls `exclusive(t)` first: it waits until no other heavy test of this machine runs (a lock
 * directory in the temp dir, taken over when its owner process is gone) and holds it to its end.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const LOCK = join(tmpdir(), 'ors-heavy-test.lock');

function ownerAlive(): boolean {
  let pid: number;
  try { pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8')); } catch {
    // Just taken, its pid not written yet; an old lock without one is stale.
    try { return Date.now() - statSync(LOCK).mtimeMs < 5000; } catch { return false; }
  }
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export async function exclusive(t: TestContext): Promise<void> {
  const began = Date.now();
  for (;;) {
    try { mkdirSync(LOCK); break; } catch {
      if (!ownerAlive()) { rmSync(LOCK, { recursive: true, force: true }); continue; }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  writeFileSync(join(LOCK, 'pid'), String(process.pid));
  const waited = Date.now() - began;
  if (waited > 1000) t.diagnostic(`waited ${Math.round(waited / 1000)} s for another heavy test to finish`);
  t.after(() => rmSync(LOCK, { recursive: true, force: true }));
}
