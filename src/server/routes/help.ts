/** GET /ors/help: the machine-readable list of calls (calls.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HELP_BODY } from '../calls.js';
import { JSON_TYPE, sendText } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';

export function help(_ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): void {
  sendText(res, 200, HELP_BODY, JSON_TYPE);
}
