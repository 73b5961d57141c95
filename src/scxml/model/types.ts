/**
 * The compiled model of one SCXML document: built once, frozen, shared by every session of the
 * document. Everything the W3C algorithm (Appendix D) asks of the document's structure — document
 * order, ancestors, descendants, transition domains — is computed here, so a running session only
 * looks things up.
 */
import type { DataModelCompiler, PortableValue } from '../datamodel/types.js';
import type { Action, Expr, Location } from '../content/types.js';
import type { Diagnostic } from './diagnostics.js';

export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history' | 'scxml';

/** A block of executable content (one `<onentry>`, `<onexit>` or transition body, W3C §4). */
export type Block = readonly Action[];

export interface StateNode {
  readonly id: string;
  /** Position in document order (pre-order); the `<scxml>` root is 0. */
  readonly index: number;
  readonly kind: StateKind;
  readonly parent: StateNode | undefined;
  /** Child `<state>`, `<parallel>` and `<final>` elements (W3C getChildStates), document order. */
  readonly children: readonly StateNode[];
  /** Child `<history>` pseudo-states. */
  readonly historyChildren: readonly StateNode[];
  /**
   * Index of the last descendant in document order. Because the order is pre-order, s is a proper
   * descendant of this state exactly when index < s.index <= lastDescendant: isDescendant is O(1).
   */
  readonly lastDescendant: number;
  /** Proper ancestors, nearest first, ending with the `<scxml>` root. */
  readonly ancestors: readonly StateNode[];
  readonly transitions: readonly Transition[];
  /** The transitions split by kind, document order kept: selection looks only at the kind it needs. */
  readonly eventlessTransitions: readonly Transition[];
  readonly eventTransitions: readonly Transition[];
  /** Whether this state or an ancestor has an eventless transition (else selection skips it). */
  readonly eventlessInScope: boolean;
  /** The initial transition of a compound state or the root (from `initial`, `<initial>` or the first child). */
  readonly initial: Transition | undefined;
  readonly onentry: readonly Block[];
  readonly onexit: readonly Block[];
  readonly invokes: readonly InvokeDefinition[];
  /** `<datamodel>` of this state (for late binding; the root's are the top-level data items). */
  readonly data: readonly DataDefinition[];
  /** For history states. */
  readonly historyType: 'shallow' | 'deep' | undefined;
  /** For final states. */
  readonly donedata: DoneDataDefinition | undefined;
  readonly line: number;
  readonly column: number;
}

export interface Transition {
  readonly source: StateNode;
  /** Event descriptors with '.*' and trailing '.' removed; '*' matches any; empty: eventless. */
  readonly events: readonly string[];
  readonly cond: Expr | undefined;
  readonly targets: readonly StateNode[];
  readonly type: 'external' | 'internal';
  readonly content: Block;
  /**
   * W3C getTransitionDomain, precomputed from the declared targets: undefined for targetless
   * transitions (they exit and enter nothing). Exact unless historyTarget is set.
   */
  readonly domain: StateNode | undefined;
  /**
   * Whether a target is a `<history>` state: then the domain depends on the session's history values
   * (Appendix D getEffectiveTargetStates) and is computed per microstep (algorithm/domain.ts).
   */
  readonly historyTarget: boolean;
  readonly line: number;
  readonly column: number;
}

export interface DataDefinition {
  readonly id: string;
  readonly expr: Expr | undefined;
  /** Inline children or a fetched `src`, already parsed into a portable value. */
  readonly value: PortableValue;
  readonly hasValue: boolean;
  /** A `src` that could not be fetched (only kept when expressionErrors is 'raise'). */
  readonly fault: string | undefined;
  readonly line: number;
  readonly column: number;
}

/** `<param>`: a name and either an expression or a location. */
export interface ParamDefinition {
  readonly name: string;
  readonly expr: Expr | undefined;
  readonly location: Expr | undefined;
  readonly line: number;
  readonly column: number;
}

/** namelist + `<param>` children, evaluated into one object (W3C §6.2, §6.4). */
export interface ParamsDefinition {
  readonly namelist: readonly { readonly name: string; readonly expr: Expr }[];
  readonly params: readonly ParamDefinition[];
}

/** `<content>`: an expression, or inline children already parsed. */
export interface ContentDefinition {
  readonly expr: Expr | undefined;
  readonly value: PortableValue;
  /** The inline markup as written (for `<invoke><content>` documents). */
  readonly markup: string;
}

export interface DoneDataDefinition {
  readonly content: ContentDefinition | undefined;
  readonly params: ParamsDefinition;
}

export interface InvokeDefinition {
  readonly state: StateNode;
  readonly type: string | undefined;
  readonly typeexpr: Expr | undefined;
  readonly src: string | undefined;
  readonly srcexpr: Expr | undefined;
  readonly id: string | undefined;
  readonly idlocation: Location | undefined;
  readonly autoforward: boolean;
  readonly params: ParamsDefinition;
  readonly content: ContentDefinition | undefined;
  readonly finalize: Block;
  readonly line: number;
  readonly column: number;
}

/** A compiled document: immutable, shared by all its sessions. */
export interface CompiledDocument {
  readonly uri: string | undefined;
  /** `<scxml name>` */
  readonly name: string | undefined;
  /** `<scxml datamodel>` (ecmascript or null). */
  readonly datamodelName: string;
  readonly binding: 'early' | 'late';
  /** The `<scxml>` root as state 0, then every state in document order. */
  readonly states: readonly StateNode[];
  readonly root: StateNode;
  readonly stateById: ReadonlyMap<string, StateNode>;
  /** ids of top-level `<data>` items: what start parameters and invoke params may set. */
  readonly dataIds: readonly string[];
  /** The top-level `<script>` elements, run once after data initialisation (W3C §5.8). */
  readonly initScripts: Block;
  readonly datamodel: DataModelCompiler;
  /** Whether sessions should be persisted (`<scxml _persist="false">` opts out, SPEC §4). */
  readonly persist: boolean;
  /** Likely mistakes found while compiling (diagnostics.ts), in document order: for the host to log once. */
  readonly warnings: readonly Diagnostic[];
}
