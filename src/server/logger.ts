/** JSON-line logs with pino; readable lines when stdout is a terminal and pino-pretty is installed. */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { LogOptions } from '../config/types.js';

export type { Logger };

export function createLogger(options: LogOptions, base: Record<string, unknown> = {}): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  if (pretty && prettyAvailable()) {
    return pino({ level: options.level, base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino({ level: options.level, base });
}

function prettyAvailable(): boolean {
  try { createRequire(import.meta.url).resolve('pino-pretty'); return true; } catch { return false; }
}
