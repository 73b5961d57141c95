/**
 * `ors interaction submit --url URL --queue NAME [--data JSON | key=value...] [--count N]`: queues
 * multimedia interactions through a node's REST API (POST /ors/queues/{queue}/interactions, any node
 * of the cluster) and prints each interaction id on its own line. Exit 1 when the node refused one
 * (its error is printed), 2 for a usage error.
 */
import type { CliIo } from './main.js';

export const INTERACTION_USAGE = `usage: ors interaction submit --url URL --queue NAME [--data JSON | key=value...] [--count N]

Queues interactions on the multimedia queue NAME (applications.queues) through the node at URL
(e.g. http://127.0.0.1:7031; any node of the cluster, a backup too) and prints each interaction's id.
The data is a JSON object (--data '{"subject":"hi","media":"email"}') or key=value pairs (strings);
a primary with room pulls each one and starts a session of the queue's document with the event
interaction.arrived. --count N (1 to 100000, default 1) submits N interactions with that data.
Exit status: 0 when every one was queued, 1 when the node refused one, 2 for a usage error.`;

const MAX_COUNT = 100_000;
/** Submissions in flight at once: enough to keep a node busy, few enough not to hog it. */
const CONCURRENCY = 8;

interface Submit { url: string; queue: string; data: Record<string, unknown>; count: number }

function parse(args: readonly string[]): Submit | string {
  let url: string | undefined;
  let queue: string | undefined;
  let json: string | undefined;
  let count = 1;
  const pairs: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = /^(--[a-z-]+)=(.*)$/s.exec(arg);
    const flag = eq ? eq[1]! : arg;
    if (flag === '--url' || flag === '--queue' || flag === '--data' || flag === '--count') {
      const value = eq ? eq[2] : args[++i];
      if (value === undefined) return `${flag} needs a value`;
      if (flag === '--url') url = value;
      else if (flag === '--queue') queue = value;
      else if (flag === '--data') json = value;
      else {
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_COUNT) return `--count must be a whole number from 1 to ${MAX_COUNT}, not "${value}"`;
        count = Number(value);
      }
      continue;
    }
    if (arg.startsWith('-')) return `unknown flag "${arg}"`;
    const at = arg.indexOf('=');
    if (at <= 0) return `"${arg}" is not key=value data`;
    pairs[arg.slice(0, at)] = arg.slice(at + 1);
  }
  if (url === undefined) return '--url is required: the node to submit to, e.g. --url http://127.0.0.1:7031';
  if (!/^https?:\/\/[^/]+/.test(url)) return `--url must be an http(s) URL of a node, e.g. http://127.0.0.1:7031, not "${url}"`;
  if (queue === undefined || queue === '') return '--queue is required: a queue of applications.queues';
  let data = pairs;
  if (json !== undefined) {
    if (Object.keys(pairs).length > 0) return 'give the data either as --data JSON or as key=value pairs, not both';
    let parsed: unknown;
    try { parsed = JSON.parse(json); } catch (e) { return `--data is not JSON: ${(e as Error).message}`; }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '--data must be a JSON object, e.g. {"subject":"hi"}';
    data = parsed as Record<string, unknown>;
  }
  return { url: url.replace(/\/+$/, ''), queue, data, count };
}

export async function interaction(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) { io.out(INTERACTION_USAGE); return 0; }
  if (sub !== 'submit') { io.err(`ors interaction: unknown subcommand "${sub}"; ors interaction --help shows the usage`); return 2; }
  const s = parse(rest);
  if (typeof s === 'string') { io.err(`ors interaction submit: ${s}; ors interaction --help shows the usage`); return 2; }
  const target = `${s.url}/ors/queues/${encodeURIComponent(s.queue)}/interactions`;
  const body = JSON.stringify(s.data);
  let next = 0;
  let failure: string | undefined;
  const one = async (): Promise<void> => {
    while (next < s.count && failure === undefined) {
      next++;
      try {
        const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.text();
        let answer: { interactionid?: string; error?: { code?: string; message?: string } } | undefined;
        try { answer = JSON.parse(text); } catch { answer = undefined; }
        if (res.status === 200 && typeof answer?.interactionid === 'string') io.out(answer.interactionid);
        else failure = answer?.error ? `${res.status} ${answer.error.code}: ${answer.error.message}` : `${res.status} ${text.slice(0, 200)}`;
      } catch (e) {
        failure = `cannot reach ${s.url}: ${(e as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, s.count) }, one));
  if (failure !== undefined) { io.err(`ors interaction submit: ${failure}`); return 1; }
  return 0;
}
