// A report's values are never live, and are drawn as read (full contrast, "From report").
import { describe, expect, it } from 'vitest';
import { sampleReport } from '$lib/report/testing';
import { ReportSource } from '$lib/session/report-source';
import { freshnessSentence, hasValues, isLive, packFreshness } from './freshness';
import { packCardModel } from './pack-card';

describe('freshness of a report', () => {
  it('says "From report", shows the values in colour, and never "Live"', () => {
    const source = new ReportSource(sampleReport());
    const view = source.packs[0];
    expect(view.fresh).toBe(false);
    expect(packFreshness(view)).toBe('report');
    expect(isLive('report') && hasValues('report')).toBe(true);
    expect(freshnessSentence(view, source.now_ms)).toBe('From report');
    expect(packCardModel(view, source.now_ms)).toMatchObject({ freshness: 'report', muted: false });
    // A pack that was offline in the report is offline, not "from report".
    const offline = { ...view, health: { ...view.health, state: 'offline' as const } };
    expect(packFreshness(offline)).toBe('offline');
  });
});
