// A vitest suite for a captured read/write setting pair: the read request, the reply's typed
// value, the reply rebuilt byte for byte, the write request byte for byte and back, and the
// empty write acknowledgement. Imported by *.test.ts only.

import { describe, expect, it } from 'vitest';
import type { Command } from '../command';
import { decodeCaptured, decodeCapturedRequest, replyText, requestText, WRITE_ACK_TEXT } from './capture-helpers';
import type { WriteAck } from './payload';

export interface PairCase<T> {
  name: string;
  read: Command<void, T>;
  write: Command<T, WriteAck>;
  readRequest: string;
  reply: string;
  value: T;
  writeRequest: string;
  /** The value the captured write carries, when it is not the value read. */
  writeValue?: T;
}

export function pairSuite<T>(c: PairCase<T>): void {
  describe(c.name, () => {
    const writeValue = c.writeValue ?? c.value;

    it('builds the captured read request byte for byte', () => {
      expect(requestText(c.read, undefined, 0)).toBe(c.readRequest);
      expect(decodeCapturedRequest(c.read, c.readRequest)).toBeUndefined();
    });

    it('decodes the captured reply to the stated values', () => {
      const { frame, value } = decodeCaptured(c.read, c.reply);
      expect(frame.code).toBe(0);
      expect(value).toEqual(c.value);
    });

    it('re-encodes the decoded reply to the same bytes', () => {
      const { frame, value } = decodeCaptured(c.read, c.reply);
      expect(replyText(c.read, value, undefined, frame)).toBe(c.reply);
    });

    it('builds the captured write request byte for byte and decodes it back', () => {
      expect(requestText(c.write, writeValue, 0)).toBe(c.writeRequest);
      expect(decodeCapturedRequest(c.write, c.writeRequest)).toEqual(writeValue);
    });

    it('accepts the empty write acknowledgement and rebuilds it', () => {
      const { frame, value } = decodeCaptured(c.write, WRITE_ACK_TEXT, writeValue);
      expect(value.extra.length).toBe(0);
      expect(replyText(c.write, value, writeValue, frame)).toBe(WRITE_ACK_TEXT);
    });

    it('has read kind for the read and a write kind for the write, one CID2 apart or documented', () => {
      expect(c.read.kind).toBe('read');
      expect(c.write.kind).not.toBe('read');
    });
  });
}
