/**
 * XState v5 running the hand translations in bench/xstate/. A session is an actor: createActor(machine)
 * .start(); an event is actor.send(), which runs its macrostep (raised and eventless transitions
 * included) before returning.
 */
import { createActor, type Actor, type AnyStateMachine, type StateValue } from 'xstate';
import { deepMachine } from '../../xstate/deep.js';
import { routingMachine } from '../../xstate/routing.js';
import { toggleMachine } from '../../xstate/toggle.js';
import type { ChartName, ChartRunner, ChartSource, Engine } from '../types.js';

const MACHINES: Record<ChartName, AnyStateMachine> = {
  toggle: toggleMachine,
  routing: routingMachine,
  deep: deepMachine,
};

type XEvent = { type: string; data: unknown };

export const xstate: Engine = {
  name: 'xstate',
  note: 'XState 5: hand translations in bench/xstate/ (context = datamodel, guards = conds); one actor per session',
  async runner(chart: ChartSource): Promise<ChartRunner> {
    const machine = MACHINES[chart.name];
    const runner: ChartRunner<Actor<AnyStateMachine>, XEvent> = {
      event: (ev) => ({ type: ev.name, data: ev.data }),
      create: () => createActor(machine).start(),
      send: (actor, ev) => {
        actor.send(ev);
      },
      atomic: (actor) => leaves(actor.getSnapshot().value as StateValue),
      done: (actor) => actor.getSnapshot().status === 'done',
      datamodel: (actor) => actor.getSnapshot().context as Record<string, unknown>,
    };
    return runner as ChartRunner;
  },
};

/** The atomic states of a state value; the machines' state keys are the SCXML ids. */
function leaves(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value).flatMap((v) => (v === undefined ? [] : leaves(v)));
}
