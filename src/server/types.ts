/** What the routes, the Basic HTTP processor and the orchestration actions share of one node. */
import type { OrsConfig } from '../config/types.js';
import type { CompiledDocument } from '../scxml/index.js';
import type { SessionManager, SessionTree } from '../session/manager.js';
import type { Documents } from './documents.js';
import type { FinishedSessions } from './finished.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { PendingRequests } from './requests.js';
import type { Quarantine } from './quarantine.js';
import type { QuarantinedSession } from '../cluster/crashGuard.js';
import type { ScheduledStarts } from './scheduled.js';
import type { RegistryCache } from '../store/index.js';
import type { VoiceRequest } from '../interactions/voice/calls.js';
import type { Multimedia } from '../interactions/multimedia/index.js';

export type Role = 'primary' | 'backup';

export interface NodeContext {
  readonly config: OrsConfig;
  readonly nodeId: number;
  readonly role: Role;
  /** This process's client-reachable base URL (node.advertise, or the listen address). */
  readonly advertised: string;
  /** The cached node registry redirects are decided from (SPEC §3); undefined: one process alone. */
  readonly registry: RegistryCache | undefined;
  /** True once shutdown began: new work is refused with 503 shutting_down. */
  readonly draining: boolean;
  readonly log: Logger;
  readonly manager: SessionManager;
  readonly documents: Documents;
  readonly finished: FinishedSessions;
  readonly requests: PendingRequests;
  readonly scheduled: ScheduledStarts;
  readonly metrics: Metrics;
  readonly quarantine: Quarantine;
  /** Multimedia queues: pulling, a session per interaction, acknowledgements (docs/interactions.md). */
  readonly multimedia: Multimedia;
  /** `<session:start>`s accepted whose document is still loading: they count against max-sessions. */
  pendingStarts: number;
  newSessionId(): string;
  /**
   * Starts a session now, or schedules it when `idealtime` (epoch ms) is later; either way under
   * orchestration.max-sessions, which counts scheduled starts too, and the quarantine; `depth` is the
   * `<session:start>` chain above it (orchestration.max-invoke-depth), `tree` its starter's tree
   * (orchestration.max-tree-sessions). Counts the sessions started.
   */
  startSession(doc: CompiledDocument, params: Record<string, unknown>, sessionid: string, idealtime?: number, depth?: number, tree?: SessionTree): void;
  /** Whether a failed commit dropped this session and it is not back from the store yet (its calls get 503, not 404). */
  recovering(sessionid: string): boolean;
  /** Sessions the crash guard keeps in the store and out of memory (docs/cluster.md); [] without persistence. */
  quarantinedSessions(): readonly QuarantinedSession[];
  /** `<ixn:route>`/`<ixn:update>` of a call's session, from inside its macrostep (src/server/voice.ts); the answer is an event. */
  voiceRequest(sessionid: string, callId: string | undefined, request: VoiceRequest): void;
  /** Lifts a session's crash quarantine and restores it from the store; false when it was not quarantined. */
  releaseSession(sessionid: string): Promise<boolean>;
}
