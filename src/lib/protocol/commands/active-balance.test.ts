// Active balancing 6AH/6BH: documented (V3.1 §4.80–4.81), never captured; frames built by hand from
// the layout with independently computed checksums.

import { describe, expect, it } from 'vitest';
import { DecodeError } from '../command';
import { pairSuite } from '../fixtures/pair-suite';
import { readActiveBalancing, setActiveBalancing } from './active-balance';

pairSuite({
  name: '6B/6A active balancing',
  read: readActiveBalancing,
  write: setActiveBalancing,
  readRequest: '~2500466B0000FD97\r',
  reply: '~25004600E00201FD37\r',
  value: { enabled: true },
  writeRequest: '~2500466AE00201FD20\r'
});

describe('active balancing', () => {
  it('off is 00; anything but 00/01 is not a switch state', () => {
    expect(Array.from(setActiveBalancing.encodeRequest({ enabled: false }))).toEqual([0]);
    expect(() => setActiveBalancing.decodeRequest(Uint8Array.of(2))).toThrowError(DecodeError);
    expect(() =>
      readActiveBalancing.decodeReply(Uint8Array.of(7), {
        request: undefined,
        options: { profile: 'pace', balanceByteOrder: 'doc', controlPolarity: 'doc' }
      })
    ).toThrowError(/expected 00 \(off\) or 01 \(on\), got 07/);
    expect(() => setActiveBalancing.encodeRequest({ enabled: 1 as unknown as boolean })).toThrowError(
      /Active balancing \(enabled\) must be true or false/
    );
  });
});
