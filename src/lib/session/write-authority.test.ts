// The write authority on a real client: what leaves the transport, by installer state, read-only
// mode and grant scope. A spy on transport.write is the judge: a refused write sends nothing.
import { describe, expect, it } from 'vitest';
import { PaceClient } from '$lib/protocol/client';
import { ProtocolError } from '$lib/protocol/errors';
import { encodeFrameText } from '$lib/protocol/frame';
import { FakeTransport } from '$lib/protocol/fixtures/fake-transport';
import { readCellOverVoltage, setCellOverVoltage } from '$lib/protocol/commands/protection';
import { setChargeMos } from '$lib/protocol/commands/control';
import { DEFAULT_DECODE_OPTIONS } from '$lib/protocol/types';
import { VirtualClock } from '$lib/time/clock';
import { commandTo, ScopedGrant, WriteAuthority, type InstallerGate } from './write-authority';
// Loaded up front: the client imports the registry on demand, which takes real time the virtual clock cannot wait out.
import '$lib/protocol/registry';

const OV = { enabled: true, alarm_mV: 3600, protect_mV: 3650, release_mV: 3400, delay_ms: 1000 };
const ACK = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: new Uint8Array(0) });
const OV_REPLY = encodeFrameText({
  ver: 0x25,
  adr: 1,
  cid1: 0x46,
  code: 0,
  info: readCellOverVoltage.encodeReply(OV, undefined, DEFAULT_DECODE_OPTIONS)
});
/** 9AH answers with the indication status byte. */
const MOS_ACK = encodeFrameText({ ver: 0x25, adr: 1, cid1: 0x46, code: 0, info: Uint8Array.of(0x0e) });

class Installer implements InstallerGate {
  unlocked = false;
  touches = 0;
  isUnlocked(): boolean {
    return this.unlocked;
  }
  touch(): void {
    this.touches++;
  }
}

function setup() {
  const clock = new VirtualClock();
  const transport = new FakeTransport({ clock });
  const replies: Record<string, string> = { D1: OV_REPLY, '9A': MOS_ACK };
  transport.responder = (bytes) => ({ bytes: replies[new TextDecoder().decode(bytes).slice(7, 9)] ?? ACK });
  const sent: string[] = [];
  const write = transport.write.bind(transport);
  transport.write = (bytes: Uint8Array) => {
    sent.push(new TextDecoder().decode(bytes).slice(7, 9));
    return write(bytes);
  };
  const client = new PaceClient(transport, { clock, retries: 0 });
  const installer = new Installer();
  const authority = new WriteAuthority(installer);
  client.setWriteGuard(authority.guard);
  return { clock, client, sent, installer, authority };
}

async function outcome(clock: VirtualClock, p: Promise<unknown>): Promise<'sent' | ProtocolError> {
  return clock.run(p).then(
    () => 'sent' as const,
    (e: unknown) => {
      if (e instanceof ProtocolError) return e;
      throw e;
    }
  );
}

describe('write authority', () => {
  it('reads always go out; a write with installer mode locked is refused and nothing is sent', async () => {
    const { clock, client, sent, authority } = setup();
    const grant = new ScopedGrant('test path');
    authority.register(grant);
    expect(await outcome(clock, client.call(readCellOverVoltage, 1, undefined))).toBe('sent');
    const r = await outcome(
      clock,
      grant.during(commandTo('setCellOverVoltage', 1), () => client.call(setCellOverVoltage, 1, OV))
    );
    expect(r).toBeInstanceOf(ProtocolError);
    expect((r as ProtocolError).kind).toBe('write-refused');
    expect((r as ProtocolError).message).toMatch(/unlock installer mode/);
    expect(sent).toEqual(['D1']);
  });

  it('unlocked, a write goes out only inside a grant whose scope matches it', async () => {
    const { clock, client, sent, installer, authority } = setup();
    installer.unlocked = true;
    const grant = new ScopedGrant('test path');
    authority.register(grant);

    const outside = await outcome(clock, client.call(setCellOverVoltage, 1, OV));
    expect((outside as ProtocolError).message).toMatch(/only the app's checked paths/);

    const wrongAddress = await outcome(
      clock,
      grant.during(commandTo('setCellOverVoltage', 2), () => client.call(setCellOverVoltage, 1, OV))
    );
    expect((wrongAddress as ProtocolError).kind).toBe('write-refused');

    const wrongCommand = await outcome(
      clock,
      grant.during(commandTo('setCellOverVoltage', 1), () => client.call(setChargeMos, 1, { on: false }))
    );
    expect((wrongCommand as ProtocolError).kind).toBe('write-refused');

    const inScope = await outcome(
      clock,
      grant.during(commandTo('setCellOverVoltage', 1), () => client.call(setCellOverVoltage, 1, OV))
    );
    expect(inScope).toBe('sent');
    expect(installer.touches).toBe(1);

    const after = await outcome(clock, client.call(setCellOverVoltage, 1, OV));
    expect((after as ProtocolError).kind).toBe('write-refused');
    expect(sent).toEqual(['D0']);
  });

  it('read-only refuses every write, even unlocked and granted, until released (nested holders)', async () => {
    const { clock, client, sent, installer, authority } = setup();
    installer.unlocked = true;
    const grant = new ScopedGrant('test path');
    authority.register(grant);
    const releaseA = authority.enterReadOnly('the diagnose page only reads');
    const releaseB = authority.enterReadOnly('the diagnose page only reads');
    const send = () => grant.during(commandTo('setChargeMos', 1), () => client.call(setChargeMos, 1, { on: false }));

    const r = await outcome(clock, send());
    expect((r as ProtocolError).message).toMatch(/this session only reads \(the diagnose page only reads\)/);
    releaseA();
    releaseA();
    expect(authority.readOnly).toBe(true);
    expect(((await outcome(clock, send())) as ProtocolError).kind).toBe('write-refused');
    releaseB();
    expect(authority.readOnly).toBe(false);
    expect(await outcome(clock, send())).toBe('sent');
    expect(sent).toEqual(['9A']);
  });

  it('an unregistered grant authorizes nothing, and a grant holds one piece of work at a time', async () => {
    const { clock, client, installer } = setup();
    installer.unlocked = true;
    const grant = new ScopedGrant('not registered');
    const r = await outcome(
      clock,
      grant.during(commandTo('setChargeMos', 1), () => client.call(setChargeMos, 1, { on: false }))
    );
    expect((r as ProtocolError).kind).toBe('write-refused');
    const busy = grant.during(
      () => true,
      () => new Promise<void>((resolve) => clock.setTimeout(resolve, 10))
    );
    await expect(
      grant.during(
        () => true,
        async () => undefined
      )
    ).rejects.toThrow(/already sending/);
    await clock.run(busy);
  });
});
