/**
 * routing.scxml as an XState v5 machine, state for state: the SCXML datamodel is the context (a fresh
 * object per actor), conds are guards, <assign> is assign() (immutable updates, the XState idiom),
 * <raise> is raise() (XState, like SCXML, processes raised events before the next external one),
 * eventless transitions are `always`. State keys are the SCXML ids; targets are '#id'.
 * SCXML transitions are external by default: where the target is the source itself or its ancestor
 * (playing → playing, retry → searching) the state is exited and re-entered, `reenter: true` in XState.
 */
import { assign, enqueueActions, raise, setup } from 'xstate';

export interface RoutingContext {
  call: { id: string | null; ani: string | null; skill: string | null; vip: boolean; priority: number };
  queuePos: number;
  attempts: number;
  maxAttempts: number;
  offersRejected: number;
  announcements: number;
  agent: string | null;
  holds: number;
  notes: number;
  duration: number;
  disposition: string | null;
}

type RoutingEvent =
  | { type: 'call.arrived'; data: { id: string; ani: string; skill: string; vip?: unknown } }
  | { type: 'queue.update'; data: { position: number } }
  | { type: 'agent.offer'; data: { agentId: string; skill: string; available: boolean } }
  | { type: 'agent.reserved'; data: { agentId: string } }
  | { type: 'agent.rejected'; data: { agentId: string; reason?: string } }
  | { type: 'call.end'; data: { duration: number } }
  | { type: 'wrapup.code'; data: { code: string } }
  | {
      type: 'classified' | 'queue.head' | 'call.connected' | 'announce.done' | 'search.timeout' | 'caller.hangup'
        | 'call.note' | 'call.hold' | 'call.retrieve' | 'wrapup.done';
      data?: unknown;
    };

export const routingMachine = setup({
  types: { context: {} as RoutingContext, events: {} as RoutingEvent },
}).createMachine({
  id: 'routing',
  initial: 'idle',
  context: () => ({
    call: { id: null, ani: null, skill: null, vip: false, priority: 10 },
    queuePos: -1,
    attempts: 0,
    maxAttempts: 3,
    offersRejected: 0,
    announcements: 0,
    agent: null,
    holds: 0,
    notes: 0,
    duration: 0,
    disposition: null,
  }),
  states: {
    idle: {
      on: {
        'call.arrived': {
          target: '#classify',
          actions: assign(({ context, event }) => ({
            call: {
              ...context.call,
              id: event.data.id,
              ani: event.data.ani,
              skill: event.data.skill,
              vip: event.data.vip === true,
            },
          })),
        },
      },
    },
    classify: {
      id: 'classify',
      entry: [
        assign(({ context: { call } }) => ({
          call: { ...call, priority: call.vip ? 1 : call.skill === 'billing' ? 5 : 10 },
        })),
        raise({ type: 'classified' }),
      ],
      on: { classified: { target: '#routing' } },
    },
    routing: {
      id: 'routing',
      type: 'parallel',
      on: { 'call.connected': { target: '#talking' }, 'caller.hangup': { target: '#abandoned' } },
      states: {
        waiting: {
          initial: 'queued',
          states: {
            queued: {
              on: {
                'queue.update': {
                  actions: [
                    assign({ queuePos: ({ event }) => event.data.position }),
                    enqueueActions(({ context, enqueue }) => {
                      if (context.queuePos <= 1) enqueue.raise({ type: 'queue.head' });
                    }),
                  ],
                },
                'queue.head': { target: '#searching' },
              },
            },
            searching: {
              id: 'searching',
              initial: 'selectTarget',
              entry: assign({ attempts: ({ context }) => context.attempts + 1 }),
              on: { 'search.timeout': { target: '#overflow' } },
              states: {
                selectTarget: {
                  on: {
                    'agent.offer': [
                      {
                        guard: ({ context, event }) => event.data.available && event.data.skill === context.call.skill,
                        target: '#reserving',
                        actions: assign({ agent: ({ event }) => event.data.agentId }),
                      },
                      { actions: assign({ offersRejected: ({ context }) => context.offersRejected + 1 }) },
                    ],
                  },
                },
                reserving: {
                  id: 'reserving',
                  on: {
                    'agent.reserved': {
                      guard: ({ context, event }) => event.data.agentId === context.agent,
                      target: '#connected',
                    },
                    'agent.rejected': { target: '#retry', actions: assign({ agent: null }) },
                  },
                },
                retry: {
                  id: 'retry',
                  always: [
                    {
                      guard: ({ context }) => context.attempts < context.maxAttempts,
                      target: '#searching',
                      reenter: true,
                    },
                    { target: '#overflow' },
                  ],
                },
              },
            },
            overflow: {
              id: 'overflow',
              entry: assign(({ context: { call } }) => ({
                call: { ...call, priority: Math.max(1, call.priority - 1) },
              })),
              on: {
                'agent.offer': {
                  guard: ({ event }) => event.data.available,
                  target: '#connected',
                  actions: assign({ agent: ({ event }) => event.data.agentId }),
                },
              },
            },
            connected: { id: 'connected', entry: raise({ type: 'call.connected' }) },
          },
        },
        announcements: {
          initial: 'playing',
          states: {
            playing: {
              id: 'playing',
              entry: assign({ announcements: ({ context }) => context.announcements + 1 }),
              on: {
                'announce.done': [
                  { guard: ({ context }) => context.announcements < 3, target: '#playing', reenter: true },
                  { target: '#silent' },
                ],
              },
            },
            silent: { id: 'silent' },
          },
        },
      },
    },
    talking: {
      id: 'talking',
      initial: 'active',
      on: { 'call.end': { target: '#wrapup', actions: assign({ duration: ({ event }) => event.data.duration }) } },
      states: {
        active: {
          id: 'active',
          on: {
            'call.hold': { target: '#held', actions: assign({ holds: ({ context }) => context.holds + 1 }) },
            'call.note': { actions: assign({ notes: ({ context }) => context.notes + 1 }) },
          },
        },
        held: { id: 'held', on: { 'call.retrieve': { target: '#active' } } },
      },
    },
    wrapup: {
      id: 'wrapup',
      on: {
        'wrapup.code': { actions: assign({ disposition: ({ event }) => event.data.code }) },
        'wrapup.done': { guard: ({ context }) => context.disposition !== null, target: '#done' },
      },
    },
    done: { id: 'done', type: 'final' },
    abandoned: { id: 'abandoned', type: 'final' },
  },
});
