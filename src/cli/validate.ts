/**
 * `ors validate [--json] [--config FILE] [--expression-errors raise|reject] FILE…`: checks SCXML
 * documents as the server would load them — same parser, compiler, custom actions (`<session:…>`,
 * `<ws:response>`) and options as `ors start` with the same configuration — without starting a node,
 * and prints every problem compiler-style, `file:line:column: error|warning: message`. Exit 1 when any
 * document has an error (the server would answer 422), else 0; 2 for a usage error.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/types.js';
import { checkDocument, type Diagnostic } from '../scxml/index.js';
import { documentCompileOptions } from '../server/node.js';
import type { CliIo } from './main.js';

export const VALIDATE_USAGE = `usage: ors validate [--json] [--config FILE] [--expression-errors raise|reject] [--max-script-size N] FILE...

Checks each SCXML document exactly as "ors start" would compile it (with the same configuration:
--config FILE, ORS_* variables, --expression-errors, --max-script-size) and prints every problem as
  FILE:LINE:COLUMN: error|warning: MESSAGE
Errors are what makes the server refuse the document (422 invalid_document); warnings are likely
mistakes it runs anyway: an unknown attribute, an expression that does not compile (it raises
error.execution when evaluated), a state no transition can reach, a <send> to an undeclared target.
--json prints one JSON array of {file, line, column, severity, code, message} instead.
Exit status: 1 when any document has an error, 0 otherwise, 2 for a usage error.`;

interface FileDiagnostic extends Diagnostic {
  readonly file: string;
}

/** Flags that take a value, passed on to the configuration loader. */
const CONFIG_FLAGS = new Set(['--config', '--expression-errors', '--max-script-size']);

export function validate(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) { io.out(VALIDATE_USAGE); return 0; }
  const files: string[] = [];
  const configArgs: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') { json = true; continue; }
    const eq = /^(--[a-z-]+)=(.*)$/.exec(arg);
    const flag = eq ? eq[1]! : arg;
    if (CONFIG_FLAGS.has(flag)) {
      const value = eq ? eq[2] : args[++i];
      if (value === undefined) { io.err(`ors validate: ${flag} needs a value; ors validate --help shows the usage`); return 2; }
      configArgs.push(flag, value);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') { io.err(`ors validate: unknown flag "${arg}"; ors validate --help shows the usage`); return 2; }
    files.push(arg);
  }
  if (files.length === 0) { io.err('ors validate: name at least one SCXML file, e.g. ors validate apps/*.scxml'); return 2; }
  let compile: ReturnType<typeof documentCompileOptions>;
  let maxSize: number;
  try {
    const config = loadConfig({ argv: configArgs, env: io.env, cwd: io.cwd });
    // The custom actions reach for the node only when they run; compiling never does.
    compile = documentCompileOptions(config, () => { throw new Error('ors validate runs no sessions'); });
    maxSize = config.orchestration['max-document-size'];
  } catch (e) {
    if (e instanceof ConfigError) { io.err(`ors validate: ${e.message}`); return 2; }
    throw e;
  }
  const all: FileDiagnostic[] = [];
  for (const file of files) {
    for (const d of checkFile(file, resolve(io.cwd, file), compile, maxSize)) all.push({ file, ...d });
  }
  if (json) {
    io.out(JSON.stringify(all.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, code: d.code, message: d.message })), null, 2));
  } else {
    for (const d of all) io.out(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
    const errors = all.filter((d) => d.severity === 'error').length;
    const warnings = all.length - errors;
    io.err(`${files.length} ${files.length === 1 ? 'file' : 'files'} checked: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
  }
  return all.some((d) => d.severity === 'error') ? 1 : 0;
}

/** One file's diagnostics; a file that cannot be read, or is over max-document-size, is one error at 1:1. */
function checkFile(name: string, path: string, compile: ReturnType<typeof documentCompileOptions>, maxSize: number): Diagnostic[] {
  const fault = (message: string): Diagnostic[] => [{ severity: 'error', code: 'invalid_document', message, line: 1, column: 1 }];
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxSize) return fault(`the document is ${size} bytes: the server refuses documents over orchestration.max-document-size (${maxSize})`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fault(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return checkDocument(text, { ...compile, uri: pathToFileURL(path).href, loadResource: readBeside });
}

/**
 * `<data src>` / `<script src>` read from the disk relative to the document (a server reads them from
 * its application roots, which validate does not know).
 */
function readBeside(src: string, base: string | undefined): string {
  const local = src.replace(/^file:(?!\/)/i, '');
  const path = /^file:/i.test(local) ? fileURLToPath(local) : resolve(base ? dirname(fileURLToPath(base)) : process.cwd(), local);
  return readFileSync(path, 'utf8');
}

