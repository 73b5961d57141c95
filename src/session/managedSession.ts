/** One running session as the session layer keeps it: the interpreter plus its timers and children. */
import { Interpreter, type CompiledDocument, type PortableValue, type SessionFault, type SessionSnapshot, type SessionStatus } from '../scxml/index.js';
import type { SessionHandle } from './types.js';

export class ManagedSession implements SessionHandle {
  readonly interpreter: Interpreter;
  /** sendid → clock handle of armed delayed sends. */
  timers: Map<string, unknown> | undefined;
  /** invokeid → child session id, for '#_<invokeid>' targets and cancellation. */
  children: Map<string, string> | undefined;
  /** Resolved after this session's next run (deliverAndWait). */
  waiters: (() => void)[] | undefined;
  started = false;
  /** Its parent cancelled the invoke: whatever it sends to #_parent from now on is dropped (W3C §6.4.1, test 252). */
  cancelled = false;

  constructor(interpreter: Interpreter) {
    this.interpreter = interpreter;
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
  snapshot(): SessionSnapshot {
    return this.interpreter.snapshot();
  }
}
