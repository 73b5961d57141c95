/**
 * deep.scxml as an XState v5 machine. State keys are the SCXML ids, targets are '#id'.
 * SCXML transitions are external by default: `home` (L1 → its descendant L5a) exits and re-enters L1,
 * which in XState is `reenter: true`. History defaults are the SCXML <history>'s <transition> targets.
 */
import { setup } from 'xstate';

type DeepEvent = {
  type: 'jump' | 'next' | 'cross' | 'out' | 'home' | 'resume.deep' | 'resume.shallow' | 'finish';
  data?: unknown;
};

export const deepMachine = setup({ types: { events: {} as DeepEvent } }).createMachine({
  id: 'deep',
  initial: 'L1',
  states: {
    L1: {
      id: 'L1',
      initial: 'L2a',
      on: { out: { target: '#out' }, home: { target: '#L5a', reenter: true } },
      states: {
        L1_hd: { id: 'L1_hd', type: 'history', history: 'deep', target: '#L2a' },
        L2a: {
          id: 'L2a',
          initial: 'L3a',
          states: {
            L2a_hs: { id: 'L2a_hs', type: 'history', history: 'shallow', target: '#L3a' },
            L3a: {
              id: 'L3a',
              initial: 'L4a',
              states: {
                L4a: {
                  id: 'L4a',
                  initial: 'L5a',
                  states: {
                    L5a: { id: 'L5a', on: { jump: { target: '#L5h' }, next: { target: '#L5b' } } },
                    L5b: { id: 'L5b', on: { next: { target: '#L5c' } } },
                  },
                },
                L4b: { id: 'L4b', initial: 'L5c', states: { L5c: { id: 'L5c' }, L5d: { id: 'L5d' } } },
              },
            },
            L3b: {
              id: 'L3b',
              initial: 'L4c',
              states: {
                L4c: {
                  id: 'L4c',
                  initial: 'L5e',
                  states: { L5e: { id: 'L5e', on: { next: { target: '#L5f' } } }, L5f: { id: 'L5f' } },
                },
              },
            },
          },
        },
        L2b: {
          id: 'L2b',
          initial: 'L3c',
          states: {
            L3c: {
              id: 'L3c',
              initial: 'L4d',
              states: {
                L4d: {
                  id: 'L4d',
                  initial: 'L5g',
                  states: { L5g: { id: 'L5g' }, L5h: { id: 'L5h', on: { cross: { target: '#L5e' } } } },
                },
              },
            },
          },
        },
      },
    },
    out: {
      id: 'out',
      on: {
        'resume.deep': { target: '#L1_hd' },
        'resume.shallow': { target: '#L2a_hs' },
        finish: { target: '#done' },
      },
    },
    done: { id: 'done', type: 'final' },
  },
});
