// One attempt's timers on the virtual clock, at the edges floating point makes.
import { describe, expect, it } from 'vitest';
import { ExchangeAttempt, type AttemptEnv } from './exchange-attempt';
import { encodeFrame, type Frame } from './frame';
import { TrafficLog } from './traffic-log';
import { FakeTransport } from './fixtures/fake-transport';
import { VirtualClock } from '../time/clock';

// Found by search: lastRx + idle rounds to exactly `now` while now − lastRx is still below idle.
const LAST_RX_MS = 999158.1242378027;
const IDLE_MS = 55.485818667621444;

describe('exchange attempt', () => {
  it('ends after a corrupted reply once the line is quiet, also when now − lastRx and lastRx + idle round differently', async () => {
    expect(LAST_RX_MS + IDLE_MS - (LAST_RX_MS + IDLE_MS)).toBe(0);
    expect(LAST_RX_MS + IDLE_MS - LAST_RX_MS < IDLE_MS).toBe(true);
    const clock = new VirtualClock(LAST_RX_MS - 20);
    const transport = new FakeTransport({ clock });
    await clock.run(transport.open());
    const request: Frame = { ver: 0x25, adr: 1, cid1: 0x46, code: 0x42, info: Uint8Array.of(1) };
    const env: AttemptEnv = {
      clock,
      transport,
      line: { lastRx_ms: -Infinity, lineFreeAt_ms: -Infinity, lastTxStart_ms: -Infinity },
      log: new TrafficLog(50),
      pending: () => 0,
      totals: { requests: 0, timeouts: 0, badFrames: 0, echoes: 0 }
    };
    const attempt = new ExchangeAttempt(env, { request, bytes: encodeFrame(request), deadline_ms: 1000, cap_ms: 2000, idle_ms: IDLE_MS });
    const outcome = attempt.run();
    await clock.advance(20);
    // The corrupted reply's last byte arrives now; the quiet check is armed idle_ms later.
    env.line.lastRx_ms = LAST_RX_MS;
    attempt.event({ type: 'error', kind: 'checksum', message: 'checksum mismatch', raw: new Uint8Array(8) });
    let timersRun = 0;
    while (clock.pendingTimers > 0 && timersRun < 50) {
      await clock.advance(Math.max(0, clock.nextTimerAt! - clock.now()));
      timersRun++;
    }
    // Before the fix the quiet check re-armed a 0 ms timer at the same instant without end.
    expect(timersRun).toBeLessThan(50);
    expect(await outcome).toMatchObject({ type: 'bad' });
  });
});
