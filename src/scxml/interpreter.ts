/**
 * One SCXML session: the engine's public face (see api.ts for the usage sketch).
 * Lifecycle: 'new' → start() → 'running' → (top-level final | stop() | abort(fault)) → 'done'.
 */
import type { EndReason, SessionFault, SessionOptions, SessionSnapshot, SessionStatus } from './api.js';
import { executeBlock } from './content/run.js';
import { dispatchSend } from './content/send.js';
import type { PortableValue } from './datamodel/types.js';
import type { ScxmlEvent } from './host.js';
import type { CompiledDocument } from './model/types.js';
import { enterStates } from './algorithm/enter.js';
import { processExternalEvent, runUntilStable } from './algorithm/mainEventLoop.js';
import { SessionCore } from './runtime/core.js';
import { initializeData } from './runtime/dataInit.js';
import { restoreCore, snapshotCore } from './runtime/snapshot.js';

export class Interpreter {
  private readonly core: SessionCore;
  /** Start parameters: used once by start(), then let go (a session should not keep its request). */
  private params: SessionOptions['params'];
  /** A macrostep is running: a stop() from inside it (a hook, custom content) waits for its end. */
  private busy = false;
  private stopRequested = false;

  constructor(doc: CompiledDocument, options: SessionOptions) {
    this.core = new SessionCore(doc, options);
    this.params = options.params;
  }

  get sessionid(): string {
    return this.core.sessionid;
  }
  get document(): CompiledDocument {
    return this.core.doc;
  }
  get status(): SessionStatus {
    return this.core.status;
  }
  /** Set when the session was aborted: the bound it hit. */
  get fault(): SessionFault | undefined {
    return this.core.fault;
  }
  /** The evaluated `<donedata>` of the top-level final state the session ended in. */
  get donedata(): PortableValue {
    return this.core.donedata;
  }
  get invokedBy(): SessionOptions['invokedBy'] {
    return this.core.invokedBy;
  }

  /** W3C interpret(): data model, top-level scripts, initial configuration, first macrostep (then runQueued(maxMacrosteps)). */
  start(maxMacrosteps = Infinity): void {
    const core = this.core;
    if (core.status !== 'new') throw new Error(`session ${core.sessionid} was already started`);
    core.status = 'running';
    core.running = true;
    const doc = core.doc;
    if (doc.binding === 'early') {
      for (const state of doc.states) initializeData(core, state.data, state === doc.root ? this.params : undefined);
    } else {
      initializeData(core, doc.root.data, this.params);
    }
    this.params = undefined;
    this.busy = true;
    const now = core.host.now();
    // Top-level scripts and the initial entry are the first macrostep: its bounds start here.
    core.beginMacrostep(now);
    try {
      executeBlock(core, doc.initScripts);
      enterStates(core, [doc.root.initial!]);
    } finally {
      this.busy = false;
    }
    this.drain(false, maxMacrosteps);
  }

  /** Put an external event on the queue; runQueued() processes it. Ignored once the session is done. */
  enqueue(event: ScxmlEvent): void {
    // The host bounds what others deliver (its own max-queued-events answer); this queue is O(1).
    if (this.core.status !== 'done') this.core.externalQueue.push(event);
  }

  /** Number of external events waiting. */
  get queuedEvents(): number {
    return this.core.externalQueue.length;
  }

  /**
   * Runs macrosteps until no event is left, the session ends, or this call has used its slice
   * (SessionLimits.runSliceMs): then it returns between two macrosteps with `queuedEvents > 0`, and
   * the host calls it again on a later turn, so a session feeding itself events cannot hold the process.
   * The host may also bound how many external events (macrosteps) one call takes: `maxMacrosteps`,
   * its fair share among the sessions waiting (W3C §4.1 order is kept: the rest waits its turn).
   */
  runQueued(maxMacrosteps = Infinity): void {
    const core = this.core;
    if (core.status !== 'running' || this.busy) return;
    // No clock read for the first macrostep of a call: on some machines a read costs as much as a
    // tenth of a small macrostep. Its time bound starts at its first check (core.checkTime).
    core.beginMacrostep(0);
    this.drain(true, maxMacrosteps);
  }

  /** `fresh`: the budget begun by runQueued is unused yet, so the first external event runs under it. */
  private drain(fresh: boolean, maxMacrosteps: number): void {
    const core = this.core;
    if (core.status !== 'running' || this.busy) return;
    this.busy = true;
    try {
      // Leftover internal events (a restored snapshot) or the initial macrostep's: finish that macrostep.
      runUntilStable(core);
      let first = fresh;
      let sliceStart = 0;
      for (let n = 0; core.running && core.externalQueue.length > 0 && n < maxMacrosteps; n++) {
        if (!first) {
          // One clock read per further macrostep: the start of its time bound and of this call's slice.
          const now = core.host.now();
          if (sliceStart === 0) sliceStart = now;
          else if (now - sliceStart >= core.limits.runSliceMs) break;
          core.beginMacrostep(now);
        }
        first = false;
        processExternalEvent(core, core.externalQueue.shift()!);
        runUntilStable(core);
      }
    } finally {
      this.busy = false;
    }
    if (!core.running) this.end();
  }

  /** The loop stopped: exit with the reason, onexit handlers under a fresh budget of the same bounds. */
  private end(): void {
    const core = this.core;
    core.beginMacrostep(core.host.now());
    this.exitInterpreter(core.fault ? 'aborted' : this.stopRequested ? 'stopped' : 'final');
  }

  /** A timer armed through host.scheduleDelayedSend is due: dispatch that send (then call runQueued). */
  fireDelayedSend(sendid: string): boolean {
    const core = this.core;
    const send = core.pendingSends?.get(sendid);
    if (send === undefined || core.status !== 'running') return false;
    core.pendingSends!.delete(sendid);
    dispatchSend(core, send);
    return true;
  }

  /** Ends the session now (terminate, or the parent's invoke was cancelled): onexit runs, invokes are cancelled. */
  stop(): void {
    if (this.core.status === 'done') return;
    if (this.core.status === 'new') this.core.status = 'running';
    this.core.running = false;
    this.stopRequested = true;
    // Called from inside this session's own macrostep: the loop ends after the current
    // microstep and runQueued() exits the interpreter then, never in the middle of one.
    if (!this.busy) this.end();
  }

  /**
   * Ends the session because it hit a bound (the session layer's too: memory, invoke depth…):
   * like stop(), with reason 'aborted' and `fault` kept. The onexit handlers still run, as for
   * stop(), so a document can clean up; they run under the same bounds (docs/engine.md).
   */
  abort(fault: SessionFault): void {
    if (this.core.status === 'done') return;
    if (this.busy) {
      // From inside its own macrostep: content still running stops at its next bound check.
      this.core.abortWith(fault);
      this.stopRequested = true;
      return;
    }
    this.core.fault ??= fault;
    this.stop();
  }

  /** https://www.w3.org/TR/scxml/#exitInterpreter */
  private exitInterpreter(reason: EndReason): void {
    const core = this.core;
    if (core.status === 'done') return;
    // States leave the configuration one by one (In() in onexit sees that); once all have left, the
    // configuration the session ended in is kept, top-level final state included, for queries.
    const finalConfiguration = core.configuration.slice();
    for (let i = finalConfiguration.length - 1; i >= 0; i--) {
      const s = finalConfiguration[i]!;
      for (const block of s.onexit) executeBlock(core, block);
      core.cancelInvocations(s);
      core.configuration.pop();
      // Appendix D: `if isFinalState(s) and isScxmlElement(s.parent): returnDoneEvent(s.donedata)` —
      // evaluated here, after the final state's <onexit>, for done.invoke and the session's donedata.
      if (reason === 'final' && s.kind === 'final' && s.parent!.kind === 'scxml') core.donedata = core.evaluateDonedata(s);
    }
    core.configuration = finalConfiguration;
    core.status = 'done';
    core.internalQueue.clear();
    core.externalQueue.clear();
    if (core.pendingSends) {
      for (const sendid of core.pendingSends.keys()) core.host.cancelDelayedSend(core.sessionid, sendid);
      core.pendingSends = undefined;
    }
    core.host.sessionEnded(core.sessionid, reason, reason === 'final' ? core.donedata : undefined, core.fault);
  }

  /** Active state ids in document order; once done, the configuration the session ended in. */
  configuration(): string[] {
    return this.core.configuration.map((s) => s.id);
  }

  datamodelView(): Record<string, unknown> {
    return this.core.dm.view();
  }

  /** About how many bytes the data model holds, counted only up to a little past `cap` (see DataModelSession). */
  approximateSize(cap: number): number {
    return this.core.dm.approximateSize(cap);
  }

  /** Pending delayed sends: what a restored session's host must re-arm. */
  pendingDelayedSends(): { sendid: string; dueAt: number }[] {
    return [...(this.core.pendingSends?.values() ?? [])].map((s) => ({ sendid: s.sendid, dueAt: s.dueAt }));
  }

  /** The whole session as JSON-serialisable data; take it between macrosteps. */
  snapshot(): SessionSnapshot {
    return snapshotCore(this.core);
  }

  /** A session that continues exactly where the snapshot was taken. The host must re-arm pendingDelayedSends(). */
  static restore(doc: CompiledDocument, snapshot: SessionSnapshot, options: SessionOptions): Interpreter {
    const interpreter = new Interpreter(doc, { ...options, sessionid: snapshot.sessionid, invokedBy: snapshot.invokedBy });
    restoreCore(interpreter.core, snapshot);
    return interpreter;
  }
}
