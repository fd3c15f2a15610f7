// Every command in the registry, through the real client, against the simulated bank: the bytes
// a pack would see and send, end to end.

import { describe, expect, it } from 'vitest';
import type { AnyCommand } from './command';
import { PaceClient } from './client';
import { eg4Commands } from './commands/telemetry';
import { readBalance, setBalance } from './commands/balance';
import { readDateTime, setDateTime } from './commands/datetime';
import { readCellOverVoltage, setCellOverVoltage } from './commands/protection';
import { bytesToHex } from './hex';
import { allCommands, commandById } from './registry';
import { createSimBank } from '../sim/bank';
import { SimTransport } from '../transport/sim';
import { VirtualClock } from '../time/clock';

/** Request INFO for the reads that need one; every other read has an empty request. */
const SAMPLE_REQUEST_INFO: Record<string, number[]> = {
  readAnalog: [0x01],
  readStatus: [0x01],
  readHistory: [0x00, 0x00]
};

async function setup() {
  const clock = new VirtualClock();
  const bank = createSimBank({ packCount: 2, seed: 'registry', clock });
  const transport = new SimTransport(bank, { clock });
  await transport.open();
  const client = new PaceClient(transport, { clock });
  return { clock, bank, client };
}

function requestFor(cmd: AnyCommand): unknown {
  // The codec's own decoder builds the typed request, so this stays right when a request type changes.
  return cmd.decodeRequest(Uint8Array.from(SAMPLE_REQUEST_INFO[cmd.id] ?? []));
}

/** Every write that has a read of the same setting ("setX" / "readX"). */
function writePairs(): [AnyCommand, AnyCommand][] {
  const pairs: [AnyCommand, AnyCommand][] = [];
  for (const w of allCommands()) {
    if (w.kind === 'read' || !w.id.startsWith('set')) continue;
    const r = commandById(`read${w.id.slice(3)}`);
    if (r && r.kind === 'read') pairs.push([w, r]);
  }
  return pairs;
}

describe('every registry command through the client against the simulator', () => {
  it('each read command gets a valid reply that decodes and re-encodes to the same INFO', async () => {
    const { clock, bank, client } = await setup();
    // The EG4 forms speak another dialect (CID1 4AH); the simulated bank is a PACE bank.
    const reads = allCommands().filter((c) => c.kind === 'read' && !eg4Commands.includes(c));
    expect(reads.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for (const cmd of reads) {
      const req = requestFor(cmd);
      const r = await clock.run(client.exchange(cmd, 1, req));
      if (!r.ok) {
        failures.push(`${cmd.id}: ${r.error.kind} ${r.error.message}`);
        continue;
      }
      expect(r.reply.adr, cmd.id).toBe(1);
      expect(bytesToHex(cmd.encodeReply(r.value, req, client.decodeOptions)), cmd.id).toBe(bytesToHex(r.reply.info));
    }
    expect(failures).toEqual([]);
    expect(client.stats).toMatchObject({ timeouts: 0, badFrames: 0, retries: 0 });
    bank.dispose();
  });

  it('each setting write is acknowledged and reads back as written', async () => {
    const { clock, bank, client } = await setup();
    const pairs = writePairs();
    expect(pairs.length).toBeGreaterThanOrEqual(15);
    const failures: string[] = [];
    for (const [write, read] of pairs) {
      const before = await clock.run(client.exchange(read, 1, undefined));
      if (!before.ok) {
        failures.push(`${read.id}: ${before.error.message}`);
        continue;
      }
      const ack = await clock.run(client.exchange(write, 1, before.value));
      if (!ack.ok) {
        failures.push(`${write.id}: ${ack.error.kind} ${ack.error.message}`);
        continue;
      }
      const after = await clock.run(client.call(read, 1, undefined));
      // The clock keeps ticking between the write and the read-back; everything else must be equal.
      if (write.id === 'setDateTime') expect({ ...after, second: 0 }, write.id).toEqual({ ...before.value, second: 0 });
      else expect(after, write.id).toEqual(before.value);
    }
    expect(failures).toEqual([]);
    bank.dispose();
  });

  it('a changed setting reads back changed (the write really lands)', async () => {
    const { clock, bank, client } = await setup();
    const ov = await clock.run(client.call(readCellOverVoltage, 1, undefined));
    const next = { ...ov, alarm_mV: ov.alarm_mV - 20 };
    await clock.run(client.call(setCellOverVoltage, 1, next));
    expect(await clock.run(client.call(readCellOverVoltage, 1, undefined))).toEqual(next);
    expect(bank.packAt(1)!.params.cellOverVoltage.alarm_mV).toBe(next.alarm_mV);

    const bal = await clock.run(client.call(readBalance, 1, undefined));
    const nextBal = { startVoltage_mV: bal.startVoltage_mV + 50, startDelta_mV: bal.startDelta_mV + 10 };
    await clock.run(client.call(setBalance, 1, nextBal));
    expect(await clock.run(client.call(readBalance, 1, undefined))).toEqual(nextBal);

    const when = { year: 2031, month: 2, day: 28, hour: 23, minute: 59, second: 30 };
    await clock.run(client.call(setDateTime, 1, when));
    const read = await clock.run(client.call(readDateTime, 1, undefined));
    expect({ ...read, second: 0 }).toEqual({ ...when, second: 0 });
    bank.dispose();
  });

  it('writes to the slave address reach the slave, not the master', async () => {
    const { clock, bank, client } = await setup();
    const ov = await clock.run(client.call(readCellOverVoltage, 2, undefined));
    await clock.run(client.call(setCellOverVoltage, 2, { ...ov, delay_ms: ov.delay_ms + 1000 }));
    expect(bank.packAt(2)!.params.cellOverVoltage.delay_ms).toBe(ov.delay_ms + 1000);
    expect(bank.packAt(1)!.params.cellOverVoltage.delay_ms).toBe(ov.delay_ms);
    bank.dispose();
  });
});
