/** GET /ors/help: the machine-readable list of calls (calls.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HELP_BODY } from '../calls.js';
import { JSON_TYPE, sendText } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';

/** Ends with a newline like every JSON answer (sendJson). */
const BODY = HELP_BODY + '\n';

export function help(_ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): void {
  sendText(res, 200, BODY, JSON_TYPE);
}
