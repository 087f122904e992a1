import type { ProfileSample } from '../../src/core/device.ts';

const cards = [
  { card: '0012345678', name: '张三' },
  { card: '188,24911', name: '李四' },
];

/** Lines as converters write them (the transport has already cut the CR/LF). */
export const samples: readonly ProfileSample[] = [
  { name: 'listed card, 10-digit decimal', channel: 'line', payload: '0012345678', cards, expect: ['access.granted'] },
  { name: 'unlisted card', channel: 'line', payload: '0099999999', cards, expect: ['access.denied'] },
  { name: 'listed card read as hex8', channel: 'line', payload: '00BC614E', cards, options: { options: { format: 'hex8' } }, expect: ['access.granted'] },
  { name: 'card listed as facility,card, read as decimal', channel: 'line', payload: '0012345679', cards, expect: ['access.granted'] },
  { name: 'facility,card format', channel: 'line', payload: '188,24910', cards, options: { options: { format: 'facility-card' } }, expect: ['access.granted'] },
  { name: 'padded with spaces', channel: 'line', payload: '  0012345678 ', cards, expect: ['access.granted'] },
  { name: 'line noise', channel: 'line', payload: '\u0000\u00ff\u0013', expect: { reject: 'garbage' } },
  { name: 'too few digits', channel: 'line', payload: '12345', expect: { reject: 'garbage' } },
  { name: 'hex on a decimal reader', channel: 'line', payload: '00BC614E', expect: { reject: 'garbage' } },
  { name: 'facility out of range', channel: 'line', payload: '300,1', options: { options: { format: 'facility-card' } }, expect: { reject: 'garbage' } },
  { name: 'wrong channel', channel: 'inputs', payload: { inputs: [1] }, expect: { reject: 'unknown_channel' } },
];
