/** `ors --help` and `ors start --help`, built from the option table so every flag is listed. */
import { OPTIONS } from '../config/options.js';

export const USAGE = `usage: ors <command> [flags]

commands:
  start     run one ORS node (default: node 1, primary, in-memory store, 127.0.0.1:7031, root ./apps)
  cluster   a local cluster for trying things out: Redis, N nodes each a primary and a backup (ors cluster --help)
  version   print the version (also --version)
  validate  check SCXML documents as the server would load them: ors validate [--json] FILE...
  sim       simulators to drive ORS: ors sim tserver runs a telephony server with calls (ors sim tserver --help)
  interaction submit  queue multimedia interactions on a node: ors interaction submit --url URL --queue NAME [key=value...]

ors start --help lists the flags; ors validate --help tells what validate checks.`;

export function startUsage(): string {
  const lines = OPTIONS.map((o) => {
    const def = o.default === undefined ? '' : ` (default ${JSON.stringify(o.default)})`;
    return `  ${`--${o.flag}`.padEnd(28)} ${o.path}${def}; env ${o.env}${o.repeatable ? '; repeatable' : ''}`;
  });
  return `usage: ors start [--config FILE] [flags]

Runs one ORS node. Options come from the defaults, then FILE (YAML or JSON, sections as in
docs/server.md; also ORS_CONFIG), then ORS_* environment variables, then these flags:

  --config FILE                config file
  --store memory|redis://H:P   persistence.type (and persistence.redis-nodes)
${lines.join('\n')}
`;
}
