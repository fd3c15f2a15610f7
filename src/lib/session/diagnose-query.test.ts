import { describe, expect, it } from 'vitest';
import { parseDiagnoseQuery, visible, WATCH_DEFAULT_S } from './diagnose-query';

const q = (s: string) => parseDiagnoseQuery(new URLSearchParams(s));

describe('the diagnose link', () => {
  it('takes a ticket, a language, the expected packs and the watch time', () => {
    expect(q('ticket=SR-2026/0042&lang=zh-CN&packs=4&watch=60')).toEqual({
      ticket: 'SR-2026/0042',
      language: 'zh-CN',
      expectedPacks: 4,
      watch_s: 60,
      problems: []
    });
    expect(q('lang=zh')).toMatchObject({ language: 'zh-CN' });
    expect(q('lang=en-GB')).toMatchObject({ language: 'en' });
    expect(q('ticket=工单123')).toMatchObject({ ticket: '工单123', problems: [] });
  });

  it('without parameters: nothing asked, the default watch', () => {
    expect(q('')).toEqual({ ticket: null, language: null, expectedPacks: null, watch_s: WATCH_DEFAULT_S, problems: [] });
    expect(q('ticket=&packs=%20')).toMatchObject({ ticket: null, expectedPacks: null, problems: [] });
  });

  it('ignores what does not fit, and keeps a safe copy to show', () => {
    const r = q('ticket=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=fr&packs=17&watch=5');
    expect(r).toMatchObject({ ticket: null, language: null, expectedPacks: null, watch_s: WATCH_DEFAULT_S });
    expect(r.problems).toEqual([
      { field: 'ticket', shown: '<script>alert(1)</script>' },
      { field: 'lang', shown: 'fr' },
      { field: 'packs', shown: '17' },
      { field: 'watch', shown: '5' }
    ]);
    expect(q('packs=2.5').problems[0].field).toBe('packs');
    expect(q('packs=1e1').problems[0].field).toBe('packs');
    expect(q('watch=99999999999').problems[0].field).toBe('watch');
  });

  it('refuses a ticket longer than 32 characters, and shows at most 60 of it', () => {
    const long = 'A'.repeat(5000);
    const r = q(`ticket=${long}`);
    expect(r.ticket).toBeNull();
    expect(r.problems[0].shown).toBe(`${'A'.repeat(60)}…`);
    expect(q(`ticket=${'B'.repeat(32)}`).ticket).toBe('B'.repeat(32));
  });

  it('refuses invisible and direction-changing characters, and spells them out', () => {
    const r = q(`ticket=${encodeURIComponent('AB\u202Egpj.exe\u0000\u200B')}`);
    expect(r.ticket).toBeNull();
    expect(r.problems[0].shown).toBe('AB⟨U+202E⟩gpj.exe⟨U+0000⟩⟨U+200B⟩');
    expect(visible('a\nb\u2066c')).toBe('a⟨U+000A⟩b⟨U+2066⟩c');
    // Astral characters are not cut in half.
    expect(visible('😀'.repeat(70))).toBe(`${'😀'.repeat(60)}…`);
  });
});
