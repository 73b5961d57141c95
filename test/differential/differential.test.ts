/**
 * Differential test (issue 6 item 4): ORS against a literal transcription of W3C Appendix D
 * (reference.ts) on random charts (chart.ts), compared after every event (run.ts).
 * Fixed seed in `npm test`; for longer runs: DIFF_SEED=7 DIFF_N=50000 node scripts/run-tests.mjs test/differential
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChart } from './run.js';
import { Reference } from './reference.js';
import type { Action, ChartState, ChartTransition } from './chart.js';

const SEED = Number(process.env.DIFF_SEED ?? 20261202);
const N = Number(process.env.DIFF_N ?? 2000);

test(`ORS takes the same steps as Appendix D on ${N} random charts (seed ${SEED})`, (t) => {
  let events = 0;
  let looping = 0;
  for (let i = 0; i < N; i++) {
    const outcome = runChart(SEED, i);
    events += outcome.events;
    if (outcome.kind === 'departure') assert.fail(outcome.report);
    if (outcome.kind === 'looping') looping++;
  }
  t.diagnostic(`charts ${N}, external events compared ${events}, looping charts (reference bound reached) ${looping}`);
  // The comparison is worth something only if most charts settle.
  assert.ok(looping < N / 2, `${looping} of ${N} charts loop`);
});

// The reference itself, on charts whose Appendix D outcome is worked out by hand.

const log = (label: string): Action[] => [{ kind: 'log', label }];
function state(id: string, kind: ChartState['kind'], children: ChartState[] = [], transitions: ChartTransition[] = []): ChartState {
  return { id, kind, children, transitions, onentry: kind === 'history' ? [] : [log(`en:${id}`)], onexit: kind === 'history' ? [] : [log(`ex:${id}`)] };
}
function on(event: string | undefined, target: string): ChartTransition {
  return { event, cond: undefined, targets: [target], type: 'external', content: log(`t:${event ?? ''}`) };
}

test('reference: a parallel whose regions all reach a final state raises done.state for each region, then for itself', () => {
  const root: ChartState = { ...state('root', 'scxml'), datamodel: 'null', onentry: [], onexit: [] };
  root.children.push(state('p', 'parallel', [
    state('r1', 'compound', [state('a', 'atomic', [], [on('go', 'af')]), state('af', 'final')]),
    state('r2', 'compound', [state('b', 'atomic', [], [on('go', 'bf')]), state('bf', 'final')]),
  ]));
  const ref = new Reference(root);
  ref.start();
  const start = ref.trace.length;
  ref.send('go');
  assert.deepEqual(ref.trace.slice(start), [
    'event:go', 'ex:b', 'ex:a', 't:go', 't:go', 'en:af', 'en:bf',
    'event:done.state.r1', 'event:done.state.r2', 'event:done.state.p',
  ]);
  assert.deepEqual(ref.configurationIds(), ['p', 'r1', 'af', 'r2', 'bf']);
});

test('reference: returning to an ancestor\'s deep history leaves and enters only below the transition\'s domain', () => {
  const h: ChartState = { ...state('h', 'history'), historyType: 'deep', transitions: [on(undefined, 'a1')] };
  const r = state('r', 'compound', [state('a1', 'atomic', [], [on('next', 'a2'), on('jump', 'h')]), state('a2', 'atomic', [], [on('prev', 'a1')])]);
  const root: ChartState = { ...state('root', 'scxml'), datamodel: 'null', onentry: [], onexit: [] };
  root.children.push(state('P', 'compound', [h, r], [on('leave', 'out')]), state('out', 'atomic', [], [on('back', 'h')]));
  const ref = new Reference(root);
  ref.start();
  for (const e of ['next', 'leave', 'back', 'prev']) ref.send(e);
  const before = ref.trace.length;
  ref.send('jump'); // h holds [a2]: the domain is r, which stays active (ORS RULE 2: and is not entered again)
  assert.deepEqual(ref.trace.slice(before), ['event:jump', 'ex:a1', 't:jump', 'en:a2']);
  assert.deepEqual(ref.configurationIds(), ['P', 'r', 'a2']);
});
