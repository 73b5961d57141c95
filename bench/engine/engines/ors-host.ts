/**
 * The smallest Host that runs the benchmark charts: they use no <send>, <invoke>, timers or <log>, so
 * those hooks throw (a chart that started using them would fail the check instead of being timed
 * with a hook that does nothing). One host serves every session, as a SessionManager does, so it adds
 * nothing to the per-session memory figure.
 */
import type { Host } from '../../../src/scxml/host.js';

export class BenchHost implements Host {
  now(): number {
    return Date.now();
  }
  send(): never {
    return unused('send');
  }
  scheduleDelayedSend(): never {
    return unused('scheduleDelayedSend');
  }
  cancelDelayedSend(): never {
    return unused('cancelDelayedSend');
  }
  invoke(): never {
    return unused('invoke');
  }
  cancelInvoke(): never {
    return unused('cancelInvoke');
  }
  forwardToInvoked(): never {
    return unused('forwardToInvoked');
  }
  log(): never {
    return unused('log');
  }
  /** Nothing to do: the benchmark reads Interpreter.status, and no parent waits for done.invoke. */
  sessionEnded(): void {}
}

function unused(hook: string): never {
  throw new Error(`bench host: the benchmark charts do not use ${hook}()`);
}
