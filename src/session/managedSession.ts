/** One running session as the session layer keeps it: the interpreter plus its timers and children. */
import { Interpreter, type CompiledDocument, type PortableValue, type SessionFault, type SessionSnapshot, type SessionStatus } from '../scxml/index.js';
import type { SessionHandle } from './types.js';

/**
 * The sessions of one tree: a session started over HTTP (or scheduled) and every `<invoke>` and
 * `<session:start>` child below it share one of these (orchestration.max-tree-sessions). Counted on
 * start and end, O(1): no walk of the tree.
 */
export class SessionTree {
  /** Members running now. */
  live = 0;
  /** `<session:start>`s accepted whose document is still loading: they hold a slot of the tree. */
  pending = 0;
  /** Starts refused because the tree was full (the refusal log and the test read it). */
  refused = 0;
}

/** Someone waiting for a session to take its event off the queue (and, with a store, for the commit after). */
export interface Waiter {
  readonly at: number;
  readonly resolve: () => void;
  /** The commit of the state it waits for failed. */
  readonly fail: (error: Error) => void;
}

export class ManagedSession implements SessionHandle {
  readonly interpreter: Interpreter;
  /** sendid → clock handle of armed delayed sends. */
  timers: Map<string, unknown> | undefined;
  /** invokeid → child session id, for '#_<invokeid>' targets and cancellation. */
  children: Map<string, string> | undefined;
  /**
   * Resolved once the session has taken `at` events off its queue (deliverAndWait, afterNextRun):
   * a run may stop before the queue is empty (fair scheduling), so "after the next run" is not enough.
   */
  waiters: Waiter[] | undefined;
  /** Events ever put on its queue through the manager: with queuedEvents, how many were taken off. */
  enqueued = 0;
  /** Links of `<invoke>` (and `<session:start>`) above it: 0 for a session started over HTTP. */
  depth = 0;
  /** The tree it belongs to (its own when it is a root). */
  readonly tree: SessionTree;
  started = false;
  /** Its parent cancelled the invoke: whatever it sends to #_parent from now on is dropped (W3C §6.4.1, test 252). */
  cancelled = false;
  /** Its parent cancelled it: it stops at its next run, inside a scheduling slice (SessionManager.stopSoon). */
  stopRequested = false;
  /** Set once its state cannot be written (commits.ts): reported once, never tried again. */
  notPersisted: string | undefined;

  constructor(interpreter: Interpreter, tree: SessionTree) {
    this.interpreter = interpreter;
    this.tree = tree;
    tree.live++;
    if (!interpreter.document.persist) this.notPersisted = 'its document says <scxml _persist="false">';
  }
  get id(): string {
    return this.interpreter.sessionid;
  }
  get document(): CompiledDocument {
    return this.interpreter.document;
  }
  get name(): string | undefined {
    return this.interpreter.document.name;
  }
  get status(): SessionStatus {
    return this.interpreter.status;
  }
  get invokedBy(): { readonly parent: string; readonly invokeid: string } | undefined {
    return this.interpreter.invokedBy;
  }
  get donedata(): PortableValue {
    return this.interpreter.donedata;
  }
  get fault(): SessionFault | undefined {
    return this.interpreter.fault;
  }
  configuration(): string[] {
    return this.interpreter.configuration();
  }
  datamodelView(): Record<string, unknown> {
    return this.interpreter.datamodelView();
  }
  approximateSize(cap: number): number {
    return this.interpreter.approximateSize(cap);
  }
  snapshot(): SessionSnapshot {
    return this.interpreter.snapshot();
  }
}
