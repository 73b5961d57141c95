/** toggle.scxml as an XState v5 machine: two atomic states flipping on "t". */
import { setup } from 'xstate';

export const toggleMachine = setup({
  types: { events: {} as { type: 't'; data?: unknown } },
}).createMachine({
  id: 'toggle',
  initial: 'a',
  states: {
    a: { on: { t: { target: 'b' } } },
    b: { on: { t: { target: 'a' } } },
  },
});
