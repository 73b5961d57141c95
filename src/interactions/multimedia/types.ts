/**
 * What the multimedia module (docs/interactions.md, "Multimedia") needs from the node it runs in,
 * and what it gives a session. The module imports nothing of src/server (imports flow server →
 * interactions): the node hands it this host (src/server/interactions.ts builds it).
 */
import type { Registry } from 'prom-client';
import type { QueueApplication } from '../../config/types.js';
import type { CompiledDocument } from '../../scxml/index.js';
import type { SessionManager } from '../../session/manager.js';
import type { InteractionQueues } from '../../store/interactions.js';

/** The log calls the module makes (pino's Logger fits). */
export interface MultimediaLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface MultimediaHost {
  readonly nodeId: number;
  /** applications.queues: queue → document and capacity. */
  readonly queues: Readonly<Record<string, QueueApplication>>;
  /** orchestration.interaction-redelivery-timeout: a hold not renewed this long may go to another node. */
  readonly redeliveryTimeoutMs: number;
  readonly manager: SessionManager;
  readonly log: MultimediaLog;
  /** Where the module's metrics are registered (the node's /metrics). */
  readonly registry: Registry;
  /** True while this process is its node's primary: only a primary pulls, renews holds and starts sessions (a backup never does). */
  primary(): boolean;
  /** True while this process holds its node's lease (a promoting process does, before it is primary): only then it writes records. */
  leaseHeld(): boolean;
  /** True once the node is shutting down: it pulls no more (what it holds is still worked and acknowledged). */
  draining(): boolean;
  /** The shared store's queues; undefined before the node has opened its store. */
  store(): InteractionQueues | undefined;
  /**
   * Whether this session is in the store, not running here, and will come back to work its
   * interaction: a failed commit dropped it and it is being restored (docs/persistence.md), or the
   * crash guard keeps it out of memory until an operator releases it (docs/cluster.md).
   */
  comesBack(sessionid: string): boolean;
  /** Loads a document as a start does (application roots, the node's cache and limits). */
  loadDocument(src: string): Promise<CompiledDocument>;
  newSessionId(): string;
  /** Starts a session now under the node's bounds (max-sessions, quarantine); throws the refusal. */
  startSession(doc: CompiledDocument, sessionid: string): void;
}

/** `_event.data` of `interaction.arrived`. */
export interface ArrivedData {
  readonly interactionid: string;
  readonly queue: string;
  /** `data.media` when the submitter named one (a string), else 'multimedia'. */
  readonly media: string;
  /** The submitted object. */
  readonly data: Record<string, unknown>;
  /** When it was submitted (epoch ms). */
  readonly submitted: number;
  /** How often it was handed out, this time included (more than 1: a redelivery). */
  readonly deliveries: number;
}

/** The event a session gets for its interaction. */
export const ARRIVED_EVENT = 'interaction.arrived';

/** The host record kind that maps a session to its interaction (docs/persistence.md, host records). */
export const RECORD_KIND = 'queued';

/**
 * What the record says: `working` while the session works it; `released` after `<ixn:release/>` and
 * `done` after the session ended, until the acknowledgement is through (then the record goes).
 */
export interface QueuedRecord {
  readonly queue: string;
  readonly interactionid: string;
  readonly state: 'working' | 'released' | 'done';
}

/** The record id of a session's interaction: beside the session's own record, never equal to a session id. */
export const recordId = (sessionid: string): string => `${sessionid}~ixn`;
export const sessionOfRecord = (id: string): string | undefined => (id.endsWith('~ixn') ? id.slice(0, -4) : undefined);
