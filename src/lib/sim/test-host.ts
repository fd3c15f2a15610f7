// A minimal host for the simulator's own tests: encode a request with a command codec, write its
// bytes to the bank, collect reply frames from the bank's paced output on a VirtualClock. The
// real client lives in protocol/client.ts; this stays independent of it so the simulator's tests
// check the bytes, not another module's retry logic.

import type { Command } from '../protocol/command';
import { encodeFrame, FrameReader, type Frame } from '../protocol/frame';
import { CID1_LFP, DEFAULT_DECODE_OPTIONS, VER_PACE } from '../protocol/types';
import type { VirtualClock } from '../time/clock';
import type { SimBank } from './bank';

export interface Exchange<Res> {
  frame: Frame | null;
  /** Decoded when RTN is 00 and the INFO is non-empty or the command accepts empty. */
  value: Res | undefined;
  /** Clock time the reply's last byte arrived. */
  at: number | null;
  /** Raw bytes the host received (all of them, frames or not). */
  raw: Uint8Array;
}

export class TestHost {
  readonly #bank: SimBank;
  readonly #clock: VirtualClock;
  readonly #reader = new FrameReader();
  #frames: { frame: Frame; at: number }[] = [];
  #raw: number[] = [];

  constructor(bank: SimBank, clock: VirtualClock) {
    this.#bank = bank;
    this.#clock = clock;
    bank.onOutput((chunk) => {
      this.#raw.push(...chunk);
      for (const ev of this.#reader.push(chunk)) if (ev.type === 'frame') this.#frames.push({ frame: ev.frame, at: clock.now() });
    });
  }

  /** Send raw bytes and wait `wait_ms` of virtual time. */
  async sendRaw(bytes: Uint8Array, wait_ms = 3000): Promise<{ frames: Frame[]; raw: Uint8Array }> {
    this.#frames = [];
    this.#raw = [];
    this.#bank.write(bytes);
    await this.#clock.advance(wait_ms);
    return { frames: this.#frames.map((f) => f.frame), raw: Uint8Array.from(this.#raw) };
  }

  async send<Req, Res>(cmd: Command<Req, Res>, req: Req, adr: number, wait_ms = 3000, ver = VER_PACE): Promise<Exchange<Res>> {
    this.#frames = [];
    this.#raw = [];
    this.#bank.write(encodeFrame({ ver, adr, cid1: CID1_LFP, code: cmd.cid2, info: cmd.encodeRequest(req) }));
    await this.#clock.advance(wait_ms);
    const got = this.#frames[0];
    if (!got) return { frame: null, value: undefined, at: null, raw: Uint8Array.from(this.#raw) };
    let value: Res | undefined;
    if (got.frame.code === 0) value = cmd.decodeReply(got.frame.info, { request: req, options: DEFAULT_DECODE_OPTIONS });
    return { frame: got.frame, value, at: got.at, raw: Uint8Array.from(this.#raw) };
  }
}
