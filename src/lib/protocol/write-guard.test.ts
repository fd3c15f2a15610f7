import { describe, expect, it } from 'vitest';
import { PaceClient, type WriteAttempt } from './client';
import { ProtocolError } from './errors';
import { encodeFrame, encodeFrameText, type Frame } from './frame';
import { asciiBytes } from './hex';
import { FakeTransport } from './fixtures/fake-transport';
import { readAnalog } from './commands/analog';
import { readCellOverVoltage, setCellOverVoltage } from './commands/protection';
import { setChargeMos } from './commands/control';
import { calibrateZeroCurrent } from './commands/calibration';
import { VirtualClock } from '../time/clock';
// Loaded up front: the client imports the registry on demand, which takes real time the virtual clock cannot wait out.
import './registry';

const READ_ONLY = (what: WriteAttempt) => `this session is read-only (${what.kind})`;
const OV = { enabled: true, alarm_mV: 3600, protect_mV: 3650, release_mV: 3400, delay_ms: 1000 };
const ACK = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: new Uint8Array(0) });
/** 9AH answers with the indication status byte. */
const MOS_ACK = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: Uint8Array.of(0x0e) });

function setup() {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock });
  // Every request is answered with an acknowledgement, so a write that got through would succeed.
  transport.responder = (bytes) => ({ bytes: new TextDecoder().decode(bytes).slice(7, 9) === '9A' ? MOS_ACK : ACK });
  const written: string[] = [];
  const write = transport.write.bind(transport);
  transport.write = (bytes: Uint8Array) => {
    written.push(new TextDecoder().decode(bytes));
    return write(bytes);
  };
  const client = new PaceClient(transport, { clock, retries: 0 });
  return { clock, transport, client, written };
}

async function refusal(clock: VirtualClock, p: Promise<unknown>): Promise<ProtocolError> {
  const e = await clock.run(p).then(
    () => null,
    (err: unknown) => err
  );
  expect(e).toBeInstanceOf(ProtocolError);
  return e as ProtocolError;
}

const writeFrame: Frame = { ver: 0x25, adr: 1, cid1: 0x46, code: setChargeMos.cid2, info: setChargeMos.encodeRequest({ on: false }) };

describe('client write guard', () => {
  it('a read-only guard lets nothing that writes reach the transport: call, exchange, raw, lease', async () => {
    const { clock, client, written } = setup();
    const asked: WriteAttempt[] = [];
    client.setWriteGuard((w) => {
      asked.push(w);
      return READ_ONLY(w);
    });

    const viaCall = await refusal(clock, client.call(setCellOverVoltage, 1, OV));
    expect(viaCall.kind).toBe('write-refused');
    expect(viaCall.message).toMatch(/setCellOverVoltage \(D0H\) to address 1 would change the pack, and this session is read-only/);

    const viaExchange = await clock.run(client.exchange(calibrateZeroCurrent, 1, {}));
    expect(viaExchange.ok).toBe(false);
    expect(!viaExchange.ok && viaExchange.error.kind).toBe('write-refused');
    expect(viaExchange.report.attempts).toBe(0);

    expect((await refusal(clock, client.raw(writeFrame))).kind).toBe('write-refused');
    expect((await refusal(clock, client.raw(encodeFrame(writeFrame)))).kind).toBe('write-refused');
    // A CID2 no definition knows is a write.
    expect((await refusal(clock, client.raw({ ver: 0x25, adr: 1, cid1: 0x46, code: 0x7e, info: new Uint8Array(0) }))).kind).toBe('write-refused');
    // Bytes that are no frame at all.
    expect((await refusal(clock, client.raw(asciiBytes('hello')))).kind).toBe('write-refused');

    const inLease = await refusal(
      clock,
      client.exclusive(async (bus) => {
        await bus.call(setChargeMos, 1, { on: true }).catch((e: unknown) => {
          expect((e as ProtocolError).kind).toBe('write-refused');
        });
        await bus.raw(writeFrame).catch((e: unknown) => {
          expect((e as ProtocolError).kind).toBe('write-refused');
        });
        await bus.write(Uint8Array.of(0x43, 0x43, 0x43));
      })
    );
    expect(inLease.kind).toBe('write-refused');
    expect(written).toEqual([]);

    expect(asked.map((w) => `${w.via}:${w.kind}:${w.commands.join('+')}`)).toEqual([
      'command:write:setCellOverVoltage',
      'command:dangerous:calibrateZeroCurrent',
      'raw-frame:write:setChargeMos',
      'raw-frame:write:setChargeMos',
      'raw-frame:unknown:',
      'bytes:unknown:',
      'command:write:setChargeMos',
      'raw-frame:write:setChargeMos',
      'bytes:unknown:'
    ]);
    // Each refusal is in the traffic log, so the debug console shows why nothing went out.
    expect(client.recentTraffic().filter((e) => e.dir === 'error' && /Not sent/.test(e.error ?? ''))).toHaveLength(9);
  });

  it('reads pass a read-only guard without asking it, typed or raw', async () => {
    const { clock, client, transport, written } = setup();
    let asked = 0;
    client.setWriteGuard((w) => {
      asked++;
      return READ_ONLY(w);
    });
    transport.responder = () => ({
      bytes:
        '~25014600F07A0001100CC70CC80CC70CC70CC70CC50CC60CC70CC70CC60CC70CC60CC60CC70CC60CC7060B9B0B990B990B990BB30BBCFF1FCCCD12D303286A008C2710E1E4\r'
    });
    const analog = await clock.run(client.call(readAnalog, 1, { command: 1 }));
    expect(analog.packs[0].cells_mV).toHaveLength(16);
    const frame = await clock.run(client.raw({ ver: 0x25, adr: 1, cid1: 0x46, code: readCellOverVoltage.cid2, info: new Uint8Array(0) }));
    expect(frame.code).toBe(0);
    await clock.run(client.raw(asciiBytes('~25014642E00201FD30\r')));
    expect(written).toHaveLength(3);
    expect(asked).toBe(0);
  });

  it('with no guard installed writes go out; a guard installed while one waits in the queue still stops it', async () => {
    const { clock, client, written } = setup();
    await clock.run(client.call(setCellOverVoltage, 1, OV));
    expect(written).toHaveLength(1);

    const first = client.call(readCellOverVoltage, 1, undefined).catch(() => undefined);
    const queued = client.call(setChargeMos, 1, { on: false });
    client.setWriteGuard(() => 'the installer PIN was not entered');
    const e = await refusal(clock, Promise.all([first, queued]));
    expect(e.message).toMatch(/installer PIN/);
    expect(written).toHaveLength(2);

    client.setWriteGuard(null);
    await clock.run(client.call(setChargeMos, 1, { on: false }));
    expect(written).toHaveLength(3);
  });

  it('a guard that allows (returns null) lets the write through', async () => {
    const { clock, client, written } = setup();
    client.setWriteGuard((w) => (w.kind === 'dangerous' ? 'expert mode is off' : null));
    await clock.run(client.call(setCellOverVoltage, 1, OV));
    expect(written).toHaveLength(1);
    expect((await refusal(clock, client.call(calibrateZeroCurrent, 1, {}))).message).toMatch(/expert mode is off/);
    expect(written).toHaveLength(1);
  });
});
