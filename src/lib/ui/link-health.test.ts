import { describe, expect, it } from 'vitest';
import { announcement, countText, lastReplyText, phaseLook } from './link-health';
import type { SessionPhase } from '$lib/session/types';

const PHASES: SessionPhase[] = ['idle', 'connecting', 'discovering', 'live', 'lost', 'reconnecting', 'error', 'report'];

describe('link health wording', () => {
  it('gives every phase a word and a glyph, so colour is never the only signal', () => {
    for (const p of PHASES) {
      const look = phaseLook(p);
      expect(look.label.length).toBeGreaterThan(0);
      expect(look.icon.length).toBeGreaterThan(0);
    }
    // A dead link and a live one must not share a glyph or a tone.
    expect(phaseLook('lost').icon).not.toBe(phaseLook('live').icon);
    expect(phaseLook('lost').tone).toBe('bad');
    expect(phaseLook('live').tone).toBe('ok');
    // While the transport reconnects by itself, the values are still old: say "lost" too.
    expect(phaseLook('reconnecting').label).toMatch(/^Link lost/);
  });

  it('ticks the age of the last reply and says when there was none', () => {
    expect(lastReplyText({ phase: 'live', lastReply_ms: 10_000 }, 10_500)).toBe('Last reply just now');
    expect(lastReplyText({ phase: 'live', lastReply_ms: 10_000 }, 14_000)).toBe('Last reply 4\u00a0s ago');
    expect(lastReplyText({ phase: 'lost', lastReply_ms: 0 }, 125_000)).toBe('Last reply 2\u00a0min ago');
    expect(lastReplyText({ phase: 'report', lastReply_ms: 10_000 }, 10_000)).toBeNull();
    expect(lastReplyText({ phase: 'discovering', lastReply_ms: null }, 0)).toBe('No reply yet');
    expect(lastReplyText({ phase: 'idle', lastReply_ms: null }, 0)).toBeNull();
  });

  it('announces state changes in plain words and says when values are old', () => {
    const info = { kind: 'serial' as const, label: 'USB CH340 (1a86:7523)' };
    expect(announcement({ phase: 'live', message: null, reconnects: 0 }, info)).toBe('Connected via USB CH340 (1a86:7523). Values are live.');
    expect(announcement({ phase: 'live', message: null, reconnects: 2 }, info)).toMatch(/^Reconnected/);
    expect(announcement({ phase: 'lost', message: 'The USB cable was unplugged.', reconnects: 0 }, info)).toBe(
      'Link lost: The USB cable was unplugged. Values shown are old.'
    );
    expect(announcement({ phase: 'reconnecting', message: null, reconnects: 0 }, null)).toBe('Reconnecting. Values shown are old.');
  });

  it('pluralises counters', () => {
    expect(countText(1, 'timeouts')).toBe('1 timeout');
    expect(countText(0, 'badFrames')).toBe('0 bad frames');
  });
});
