/**
 * The one error the store throws: it could not be reached or did not answer in time. A fencing
 * refusal is not an error but a result (`Fenced`), because the caller must act on it (step down),
 * not log it. The cluster layer turns this error into its catalogue code for the HTTP answer.
 */

export class StoreUnavailableError extends Error {
  /** Stable code to branch on (check `code`, not `instanceof`). */
  readonly code = 'store_unavailable' as const;
  readonly op: string;
  constructor(op: string, reason: string, options?: { cause?: unknown }) {
    super(`store unavailable during ${op}: ${reason}`, options);
    this.name = 'StoreUnavailableError';
    this.op = op;
  }
}

/** True for a StoreUnavailableError from any realm. */
export function isStoreUnavailable(value: unknown): value is StoreUnavailableError {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === 'store_unavailable';
}
