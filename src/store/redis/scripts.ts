/**
 * Loads the Lua scripts of lua/ (one file per atomic step, named `<name>-<nKeys>.lua`, its header
 * listing KEYS, ARGV and returns) and registers them on a client as `ors_<name>_v<VERSION>`.
 * ioredis runs them with EVALSHA and falls back to EVAL when Redis lost its script cache (after a
 * restart), so nothing has to be reloaded by hand. The version in the name keeps two ORS releases
 * sharing one Redis during a rolling upgrade from running each other's scripts.
 *
 * The files are read relative to this module, so the same code works from src/ (tsx) and from
 * dist/ (the build copies lua/ next to the compiled file: scripts/copy-assets.mjs).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Bump when any script's KEYS/ARGV/returns change. */
export const SCRIPTS_VERSION = 1;

export const SCRIPT_NAMES = [
  'acquire', 'renew', 'release', 'commit', 'nodeEntry', 'guard',
  'claimCall', 'takeOverCall', 'endCall',
  'queueSubmit', 'queuePull', 'queueTouch', 'queueAck', 'queueHeld', 'queueHolder', 'queueDepth',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface Script {
  readonly name: ScriptName;
  /** The command name registered on the client. */
  readonly command: string;
  readonly numberOfKeys: number;
  /** The source with its includes resolved. */
  readonly lua: string;
}

const INCLUDE = /^--\s*@include\s+([A-Za-z0-9_]+)\s*$/gm;

/** Reads and resolves every script of `dir` (default: lua/ beside this module). */
export function loadScripts(dir: URL = new URL('./lua/', import.meta.url)): ReadonlyMap<ScriptName, Script> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));
  const scripts = new Map<ScriptName, Script>();
  for (const name of SCRIPT_NAMES) {
    const file = files.find((f) => f.startsWith(`${name}-`));
    const m = file === undefined ? null : /^[A-Za-z]+-(\d+)\.lua$/.exec(file);
    if (file === undefined || m === null) throw new Error(`store script "${name}" is missing from ${dir.pathname}`);
    scripts.set(name, {
      name,
      command: `ors_${name}_v${SCRIPTS_VERSION}`,
      numberOfKeys: Number(m[1]),
      lua: resolveIncludes(readFileSync(new URL(file, dir), 'utf8'), dir),
    });
  }
  return scripts;
}

/** Replaces each `-- @include <name>` line by includes/<name>.lua (one level: includes include nothing). */
export function resolveIncludes(source: string, dir: URL): string {
  return source.replace(INCLUDE, (_, name: string) => readFileSync(new URL(`includes/${name}.lua`, dir), 'utf8'));
}

/** What defineCommand needs of a client (ioredis Redis and Cluster both have it). */
interface Definer {
  defineCommand(name: string, definition: { lua: string; numberOfKeys: number }): void;
}

/** Registers every script on the client; gives the function that runs one. */
export function defineScripts(client: Definer, scripts: ReadonlyMap<ScriptName, Script>): RunScript {
  for (const s of scripts.values()) client.defineCommand(s.command, { lua: s.lua, numberOfKeys: s.numberOfKeys });
  const commands = client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  return (name, keys, args) => {
    const s = scripts.get(name)!;
    if (keys.length !== s.numberOfKeys) throw new Error(`store script ${name} takes ${s.numberOfKeys} keys, got ${keys.length}`);
    return commands[s.command]!.call(client, ...keys, ...args);
  };
}

export type RunScript = (name: ScriptName, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;
