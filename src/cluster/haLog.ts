/** One log line per HA role change, each with its epoch (issue 7: "one log line each with the epoch"). */
import type { HaEvent } from './ha.js';

/** The logger methods used (pino's shape); cluster does not import the server's logger. */
export interface HaLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export function logHaEvent(log: HaLogger, e: HaEvent): void {
  switch (e.kind) {
    case 'backup_start':
      log.info({ role: 'backup', primaryEpoch: e.primaryEpoch, primary: e.primaryAddress }, e.primaryEpoch === null
        ? 'HA: backup (no lease taken yet: the store is away, or this process waits one lease length as node.role backup)'
        : `HA: backup; the primary holds epoch ${e.primaryEpoch} at ${e.primaryAddress}`);
      return;
    case 'acquired':
      log.info({ role: 'promoting', epoch: e.epoch }, `HA: lease acquired, epoch ${e.epoch}; restoring before serving`);
      return;
    case 'primary':
      log.info({ role: 'primary', epoch: e.epoch, promoteMs: e.promoteMs }, `HA: primary, epoch ${e.epoch}`);
      return;
    case 'demoted':
      log.warn({ role: 'backup', epoch: e.epoch, reason: e.reason, currentEpoch: e.currentEpoch, detail: e.detail },
        `HA: stepped down to backup, epoch ${e.epoch} (${REASONS[e.reason]})`);
      return;
    case 'refused':
      log.warn({ epoch: e.epoch, currentEpoch: e.currentEpoch, op: e.op }, `HA: the store refused a ${e.op} under epoch ${e.epoch} (current epoch ${e.currentEpoch ?? 'none'})`);
      return;
    case 'hook_failed':
      log.error({ epoch: e.epoch, hook: e.hook, err: e.message }, `HA: the ${e.hook} hook failed (epoch ${e.epoch}); the process stays backup and competes again`);
      return;
    case 'released':
      log.info({ epoch: e.epoch, ok: e.ok }, `HA: lease released, epoch ${e.epoch}${e.ok ? '' : ' (the store refused or did not answer; it expires by itself)'}`);
      return;
  }
}

const REASONS = {
  fenced: 'the store refused a write: another process holds the lease or it expired',
  lease_lost: 'no renew succeeded in time; it stopped serving before the lease could expire',
  promote_failed: 'restoring the node failed; the lease is given up',
} as const;
