/**
 * One session's ECMAScript data: a scope object in the document's realm whose own properties are
 * the session's variables (W3C B.2.1), plus read-only system variables (§5.10). The compiled
 * functions of the document are called with this scope; each call arms the runaway guard.
 */
import {
  DataModelFault,
  type CompiledExpression,
  type CompiledLocation,
  type CompiledScript,
  type DataModelSession,
  type DataModelSessionInit,
  type EventForDataModel,
  type PortableValue,
} from '../types.js';
import type { EcmaScriptCompiler } from './compiler.js';
import { SYSTEM_VARIABLES } from './realm.js';
import type { EcmaExpression, EcmaLocation, EcmaScript } from './units.js';
import { restoreSnapshot, takeSnapshot } from './snapshot.js';
import { exportValue as copyOut, holdsHostObject } from './values.js';
import { viewScope } from './view.js';
import { approximateScopeSize } from './size.js';

// Guard states (realm.ts); repeated here as plain constants because this is the hot path and an
// imported binding costs a getter call per use under some TypeScript loaders.
const RUNNING = 0;
const OUTSIDE = 1;
const EXPIRED = 2;
const OVERGROWN = 3;

const hasOwn = Object.prototype.hasOwnProperty;
const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const exportCopy = copyOut;

interface Named {
  describe(): string;
}

// What a fault names when no compiled unit is running: made once, not per call.
const FOREACH: Named = { describe: () => '<foreach> array' };
const VALUE: Named = { describe: () => 'value' };
const IMPORTED: Named = { describe: () => 'imported value' };

/**
 * `<foreach array>` as a host array. Run inside the guard: reading the items or the iterator of a
 * document's value may run its getters, Proxy traps or generators.
 */
function itemsOf(collection: unknown): unknown[] {
  if (Array.isArray(collection)) {
    // A shallow copy: the loop body may change the array without changing the loop (W3C 156, 460).
    const out = new Array<unknown>(collection.length);
    for (let i = 0; i < collection.length; i++) out[i] = (collection as unknown[])[i];
    return out;
  }
  if (typeof collection === 'object' && collection !== null && typeof (collection as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    return Array.from(collection as Iterable<unknown>);
  }
  throw new DataModelFault('runtime', `<foreach> array: ${collection === null ? 'null' : typeof collection} is not an array or other iterable collection`);
}

export class EcmaScriptSession implements DataModelSession {
  /** Replaced by restore(); functions made by scripts close over the scope they were made with. */
  scope: object;
  /** The engine's In() and `_ioprocessors`; the init object itself is not kept (a session should stay small). */
  readonly inState: (stateId: string) => boolean;
  readonly ioprocessors: () => Readonly<Record<string, { readonly location: string }>>;
  /** The event set but not yet read by a script: copied into the realm on the first `_event` read. */
  private pending: EventForDataModel | undefined = undefined;

  constructor(readonly doc: EcmaScriptCompiler, init: DataModelSessionInit) {
    this.inState = init.In;
    this.ioprocessors = init.ioprocessors;
    const extras = init.extraSystemVariables;
    if (extras !== undefined) for (const k of Object.keys(extras)) doc.extraSystemNames.add(k);
    this.scope = doc.realm.rt.makeScope(init.sessionid, init.name, extras);
  }

  /** A fresh scope with this session's system variables (for restore). */
  newScope(): object {
    return this.doc.realm.rt.copySystem(this.scope);
  }

  /** System variables are the fixed names plus the non-enumerable own properties of the scope (extras). */
  isSystem(name: string): boolean {
    if (SYSTEM_VARIABLES.has(name)) return true;
    // Only a name given as an extra to some session of the document can be one here.
    return this.doc.extraSystemNames.has(name) && hasOwn.call(this.scope, name) && !propertyIsEnumerable.call(this.scope, name);
  }

  /**
   * Runs document code with the guard armed; every failure becomes a DataModelFault. `fn` is
   * called as a plain function (never as a method of a host object: its `this` would be that
   * object, and `this.constructor.constructor` the host's Function).
   */
  invoke<A, B, R>(unit: Named, fn: (a: A, b: B) => R, a: A, b: B): R {
    const state = this.doc.realm.state;
    if (state[0] === RUNNING) return fn(a, b); // nested (a hook called back into the data model)
    const outer = this.doc.current;
    state[0] = RUNNING;
    state[1] = 0;
    state[4] = -1;
    this.doc.current = this;
    try {
      const result = fn(a, b);
      if (state[0] === EXPIRED || state[0] === OVERGROWN) throw this.fault(unit, undefined);
      return result;
    } catch (e) {
      throw this.fault(unit, e);
    } finally {
      state[0] = OUTSIDE;
      this.doc.current = outer;
    }
  }

  run<T>(unit: Named, call: () => T): T {
    return this.invoke(unit, call, undefined, undefined);
  }

  fault(unit: Named, e: unknown): DataModelFault {
    if (e instanceof DataModelFault) return e;
    const state = this.doc.realm.state[0];
    if (state === EXPIRED) {
      return new DataModelFault('timeout', `${unit.describe()} was stopped after running for ${this.doc.timeoutMs} ms`);
    }
    if (state === OVERGROWN) {
      return new DataModelFault('memory', `${unit.describe()} was stopped: the heap grew by more than ${this.doc.memoryMb} MB while it ran`);
    }
    const message = e instanceof Error ? `${e.name}: ${e.message}` : this.doc.realm.rt.describe(e);
    return new DataModelFault('runtime', `${unit.describe()}: ${message}`);
  }

  evaluate(expr: CompiledExpression): unknown {
    const unit = expr as EcmaExpression;
    if (unit.owner !== this.doc.realm || unit.what !== 'expression') throw new DataModelFault('runtime', 'not an expression compiled for this document');
    return this.invoke(unit, unit.fn, this.scope, undefined);
  }

  evaluateBoolean(expr: CompiledExpression): boolean {
    return Boolean(this.evaluate(expr));
  }

  /** Host objects handed to the data model are copied in: none may become reachable from scripts. */
  private inward(value: unknown): unknown {
    if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return value;
    return holdsHostObject(this.doc.realm.rt, value) ? this.importValue(value) : value;
  }

  assign(location: CompiledLocation, value: unknown): void {
    const unit = location as EcmaLocation;
    if (unit.owner !== this.doc.realm || unit.what !== 'location') throw new DataModelFault('runtime', 'not a location compiled for this document');
    this.assignTo(unit, value);
  }

  private assignTo(location: EcmaLocation, value: unknown): void {
    const scope = this.scope;
    const root = location.root;
    // Session variables are the enumerable own properties of the scope. The only other own
    // properties are the extra system variables, so on the usual path hasOwnProperty settles it
    // (about half the cost of propertyIsEnumerable, measured). `system` is known when the
    // location is compiled (a script's `var _x` can make `_x` an enumerable own property).
    if (location.system || !hasOwn.call(scope, root) || this.doc.extraSystemNames.has(root)) {
      if (location.system || !propertyIsEnumerable.call(scope, root)) {
        if (location.system || hasOwn.call(scope, root)) {
          throw new DataModelFault('runtime', `${location.describe()}: ${root} is a read-only system variable`);
        }
        if (location.simple) {
          throw new DataModelFault('runtime', `${location.describe()}: ${root} is not declared (assign never creates a variable)`);
        }
      }
    }
    this.invoke(location, location.fn, scope, this.inward(value));
  }

  declare(id: string, value: unknown): void {
    if (this.isSystem(id)) throw new DataModelFault('runtime', `cannot declare ${id}: it is a system variable`);
    this.doc.realm.rt.declare(this.scope, id, this.inward(value));
  }

  isUndeclaredVariable(location: CompiledLocation): boolean {
    const unit = location as EcmaLocation;
    if (unit.owner !== this.doc.realm || unit.what !== 'location') return false;
    // An extra system variable the session was given is an own property: hasOwnProperty covers it.
    return unit.simple && !unit.system && !hasOwn.call(this.scope, unit.root);
  }

  execute(script: CompiledScript): void {
    const unit = script as EcmaScript;
    if (unit.owner !== this.doc.realm || unit.what !== 'script') throw new DataModelFault('runtime', 'not a script compiled for this document');
    this.invoke(unit, unit.fn, this.scope, undefined);
  }

  iterate(collection: unknown): readonly unknown[] {
    return this.invoke(FOREACH, itemsOf, collection, undefined);
  }

  /** Hands the pending event over (once): the realm copies it into `_event`. */
  takeEvent(): EventForDataModel | undefined {
    const e = this.pending;
    this.pending = undefined;
    return e;
  }

  setEvent(event: EventForDataModel): void {
    this.pending = event;
    try {
      this.doc.realm.rt.setEvent(this.scope);
    } catch (e) {
      throw this.fault({ describe: () => `_event ${JSON.stringify(event.name)}` }, e);
    }
  }

  exportValue(value: unknown): PortableValue {
    if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol' && typeof value !== 'bigint') return value;
    try {
      return exportCopy(this.doc.realm.rt, value);
    } catch (e) {
      throw this.fault(VALUE, e);
    }
  }

  importValue(value: PortableValue): unknown {
    if (typeof value !== 'object' || value === null) return typeof value === 'function' ? undefined : value;
    try {
      return this.doc.realm.rt.imp(value);
    } catch (e) {
      throw this.fault(IMPORTED, e);
    }
  }

  view(): Record<string, unknown> {
    return viewScope(this.doc.realm.rt, this.scope);
  }

  approximateSize(cap: number): number {
    return approximateScopeSize(this.doc.realm.rt, this.scope, cap);
  }

  snapshot(): unknown {
    return takeSnapshot(this);
  }

  restore(snapshot: unknown): void {
    restoreSnapshot(this, snapshot);
  }
}
