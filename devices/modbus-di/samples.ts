import type { ProfileSample } from '../../src/core/device.ts';

const panicOnInput0 = { modbus: { unit: 1, debounce: 0, inputs: [{ index: 0, kind: 'alarm.panic' }] } };
const twoInputs = {
  modbus: {
    unit: 2,
    debounce: 0,
    inputs: [
      { index: 0, kind: 'alarm.panic' },
      { index: 3, kind: 'door.forced', normallyClosed: true },
    ],
  },
};

/** Answers to function 02 as the transport submits them (one sample is decoded from a fresh state). */
export const samples: readonly ProfileSample[] = [
  { name: 'panic button pressed (input 0 closed)', channel: 'inputs', payload: { inputs: [1, 0, 0, 0] }, options: panicOnInput0, expect: ['alarm.panic'] },
  { name: 'all quiet', channel: 'inputs', payload: { inputs: [0, 0, 0, 0] }, options: panicOnInput0, expect: [] },
  { name: 'DESIGN default: unit only, input 0 is a panic (debounced: first sample waits)', channel: 'inputs', payload: { inputs: [1] }, options: { modbus: { unit: 1 } }, expect: [] },
  { name: 'normally-closed door loop opened', channel: 'inputs', payload: { inputs: [0, 0, 0, 0] }, options: twoInputs, expect: ['door.forced'] },
  { name: 'panic and NC loop intact', channel: 'inputs', payload: { inputs: [1, 0, 0, 1] }, options: twoInputs, expect: ['alarm.panic'] },
  { name: 'too few inputs in the answer', channel: 'inputs', payload: { inputs: [0, 0] }, options: twoInputs, expect: { reject: 'bad_field' } },
  { name: 'not an inputs payload', channel: 'inputs', payload: { inputs: [2] }, options: panicOnInput0, expect: { reject: 'bad_field' } },
  { name: 'wrong channel', channel: 'line', payload: '0012345678', options: panicOnInput0, expect: { reject: 'unknown_channel' } },
];
