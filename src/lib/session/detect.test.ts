import { describe, expect, it } from 'vitest';
import { describeTried, detectionPlan, runDetection, type DetectionAttempt } from './detect';

const short = (a: DetectionAttempt) => `${a.baud}/${a.profile}`;

describe('detectionPlan', () => {
  it('under Auto/Auto tries PACE at every baud first (9600 first of all), then the VER 20 dialects', () => {
    const plan = detectionPlan({ kind: 'serial', baud: 'auto', profile: 'auto' });
    expect(plan.probe).toBe(true);
    expect(plan.attempts.map(short)).toEqual([
      '9600/pace',
      '19200/pace',
      '115200/pace',
      '9600/pylon',
      '9600/eg4',
      '19200/pylon',
      '19200/eg4',
      '115200/pylon',
      '115200/eg4'
    ]);
    expect(plan.attempts[0]).toMatchObject({ ver: 0x25, cid1: 0x46 });
    expect(plan.attempts.find((a) => a.profile === 'eg4')).toMatchObject({ ver: 0x20, cid1: 0x4a });
    // A PACE pack set to 115200 is found by the third probe.
    expect(plan.attempts.findIndex((a) => a.baud === 115200 && a.profile === 'pace')).toBe(2);
  });

  it('tries what worked last time first', () => {
    const plan = detectionPlan({ kind: 'serial', baud: 'auto', profile: 'auto', lastBaud: 19200, lastProfile: 'eg4' });
    expect(plan.attempts.slice(0, 5).map(short)).toEqual(['19200/eg4', '9600/eg4', '115200/eg4', '19200/pace', '19200/pylon']);
    // A remembered baud the app does not offer is ignored rather than tried.
    expect(detectionPlan({ kind: 'serial', baud: 'auto', profile: 'pace', lastBaud: 4800 }).attempts.map(short)).toEqual([
      '9600/pace',
      '19200/pace',
      '115200/pace'
    ]);
  });

  it('uses a manual baud and protocol as is, without probing', () => {
    const plan = detectionPlan({ kind: 'serial', baud: 19200, profile: 'seplos', lastBaud: 9600 });
    expect(plan.probe).toBe(false);
    expect(plan.attempts.map(short)).toEqual(['19200/seplos']);
  });

  it('never varies the baud of Bluetooth, and the demo bank is always PACE', () => {
    expect(detectionPlan({ kind: 'ble', baud: 'auto', profile: 'auto' }).attempts.map(short)).toEqual(['9600/pace', '9600/pylon', '9600/eg4']);
    const demo = detectionPlan({ kind: 'sim', baud: 'auto', profile: 'eg4' });
    expect(demo.probe).toBe(false);
    expect(demo.attempts.map(short)).toEqual(['9600/pace']);
  });
});

describe('runDetection', () => {
  function harness(answersAt: string | null) {
    const log: string[] = [];
    const controller = new AbortController();
    return {
      log,
      controller,
      run: (attempts: DetectionAttempt[]) =>
        runDetection({
          attempts,
          signal: controller.signal,
          useBaud: async (baud) => {
            log.push(`baud ${baud}`);
          },
          probe: async (a, _signal, firstAtBaud) => {
            log.push(`probe ${short(a)}${firstAtBaud ? ' (first at this baud)' : ''}`);
            return short(a) === answersAt;
          }
        })
    };
  }

  it('stops at the first answer, changes baud only when the next attempt needs another, and says which probe is the first after a change', async () => {
    const h = harness('19200/pylon');
    const found = await h.run(detectionPlan({ kind: 'serial', baud: 'auto', profile: 'auto' }).attempts);
    expect(found && short(found)).toBe('19200/pylon');
    expect(h.log).toEqual([
      'baud 9600',
      'probe 9600/pace (first at this baud)',
      'baud 19200',
      'probe 19200/pace (first at this baud)',
      'baud 115200',
      'probe 115200/pace (first at this baud)',
      'baud 9600',
      'probe 9600/pylon (first at this baud)',
      'probe 9600/eg4',
      'baud 19200',
      'probe 19200/pylon (first at this baud)'
    ]);
  });

  it('returns null when nothing answers', async () => {
    const h = harness(null);
    const attempts = detectionPlan({ kind: 'serial', baud: 'auto', profile: 'pace' }).attempts;
    expect(await h.run(attempts)).toBeNull();
    expect(h.log.filter((l) => l.startsWith('probe'))).toHaveLength(3);
  });

  it('rejects with the abort reason when cancelled between attempts', async () => {
    const controller = new AbortController();
    const attempts = detectionPlan({ kind: 'serial', baud: 'auto', profile: 'auto' }).attempts;
    let probes = 0;
    const p = runDetection({
      attempts,
      signal: controller.signal,
      useBaud: async () => undefined,
      probe: async () => {
        probes++;
        if (probes === 2) controller.abort(new DOMException('cancelled', 'AbortError'));
        return false;
      }
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(probes).toBe(2);
  });
});

describe('describeTried', () => {
  it('says what was tried in words', () => {
    const plan = detectionPlan({ kind: 'serial', baud: 'auto', profile: 'pace' });
    expect(describeTried(plan.attempts, 'serial')).toBe('9600, 19200 and 115200 baud with the PACE (VER 25) protocol');
    const ble = detectionPlan({ kind: 'ble', baud: 9600, profile: 'auto' });
    expect(describeTried(ble.attempts, 'ble')).toBe('the PACE (VER 25), Pylontech (VER 20) and EG4 LifePower4 (VER 20) protocols');
  });
});
