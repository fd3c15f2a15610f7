// A bank of 1–16 simulated packs on one serial line. The host's bytes go through the SimWire to
// every pack's UART; the addressed pack answers through the responder; the master (address 1)
// answers 90H with the pack count and speaks for the slaves in 42H/44H relay and broadcast. The
// bank advances its own physics on the clock, and `step()` fast-forwards it for tests.

import { FrameReader, encodeFrame, type Frame } from '../protocol/frame';
import { RTN } from '../protocol/rtn';
import { CID1_LFP, DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '../protocol/types';
import type { Clock, TimerId } from '../time/clock';
import type { Unsubscribe } from '../transport/types';
import type { SimBootloader } from './bootloader';
import { BootloaderHost, type BootloaderOptions } from './bootloader-host';
import { type BusPack, solveBus } from './bus';
import { planPastDays } from './history';
import { SimPack } from './pack';
import { respond, type BankContext, type FirmwareOptions } from './responder';
import { Rng } from './rng';
import { buildScenario, chargerPresent, demandAt, type Condition, type Scenario, type ScenarioName, type ScenarioParams } from './scenarios';
import { SimWire, type ByteFaultRates } from './wire';

export type { FirmwareOptions } from './responder';

export const DEFAULT_FIRMWARE: FirmwareOptions = {
  ver: 0x25,
  tail: 'p3',
  broadcast: true,
  extensions: true,
  cellCount: 16,
  tempCount: 6,
  corruptRequest: 'silent',
  model: 'P16S100A',
  board: '1812',
  version: '1.00',
  bluetoothName: false,
  historyEnd: 'empty',
  timedStorage: true,
  activeBalancer: true
};

/** Per-byte fault rates and adapter echo, as at construction or through inject(). */
export type FaultOptions = ByteFaultRates;

export type Fault =
  /** Set (merge) per-byte drop / flip rates in either direction; 0 turns one off. */
  | ({ kind: 'byte-errors' } & Omit<ByteFaultRates, 'echo'>)
  /** The USB adapter starts or stops echoing the host's bytes. */
  | { kind: 'echo'; on: boolean }
  /** Garbage on the line for this long. */
  | { kind: 'noise'; duration_ms: number }
  /** The bank's output freezes for this long (mid-reply if one is going out). */
  | { kind: 'stall'; duration_ms: number }
  /** Pull the cable, now or after this many more bytes reach the host. The transport reports 'lost'. */
  | { kind: 'unplug'; afterBytes?: number }
  | { kind: 'replug' }
  /**
   * Power-cycle the pack at this address (silent while it boots, history gets a power-on record).
   * A pack whose application was lost in a single-bank update comes back in its bootloader.
   */
  | { kind: 'reboot'; address: number }
  /**
   * The vendor manual's forced-bootloader procedure (section 8.2: DIO shorted to GND, button
   * pressed): the pack restarts into its bootloader without a FF 50 command.
   */
  | { kind: 'force-bootloader'; address: number }
  /**
   * A firmware-transfer block on its way to the bootloader: `block` counts data blocks from 1 (not
   * wrapped at 256). 'drop' loses it, 'flip' corrupts one byte, 'stall' holds it on the line for
   * stall_ms (default 4000), and everything the host sends after it behind it, as a frozen line
   * would. Applies to `count` sends of that block (default 1).
   */
  | { kind: 'upgrade-block'; block: number; action: 'drop' | 'flip' | 'stall'; count?: number; stall_ms?: number }
  /**
   * A pack's link cable (the RS485 link between packs) comes out, or goes back in: the pack runs
   * on but neither hears nor answers the bus, its bootloader included. The master reports it as a
   * zero block in a broadcast and RTN 91 when asked to relay (a slave going offline).
   */
  | { kind: 'link-cable'; address: number; connected: boolean }
  /**
   * The whole bank falls silent (on) or talks again (off): no pack answers, and a reply going out
   * stops where it is. The cable stays in; only the packs are quiet.
   */
  | { kind: 'silence'; on: boolean }
  /** Everything back to normal: rates 0, echo off. */
  | { kind: 'clear' };

export type LinkEvent = 'unplugged' | 'replugged';

export interface SimBankOptions {
  /** 1..16 packs. */
  packCount: number;
  seed: number | string;
  clock: Clock;
  /** Default 9600. */
  baud?: number;
  /** Pack reply delay after the request's last byte (ms). Default 20. */
  turnaround_ms?: number;
  /** Default 'idle'. */
  scenario?: ScenarioName | { name: ScenarioName; params?: ScenarioParams };
  firmware?: Partial<FirmwareOptions>;
  faults?: FaultOptions;
  /** Clock ms between physics steps the bank takes on its own. Default 250; 0 = only step(). */
  realTimeStep_ms?: number;
  /** Simulated seconds per clock second (a demo can run the physics faster). Default 1. */
  timeScale?: number;
  /** Addresses, master first. Default 1..packCount (DIP 1–15, and 0x10 for a 16th pack). */
  addresses?: number[];
  /** Default 'half' (RS485). */
  duplex?: 'half' | 'full';
  /**
   * Where the host's cable is plugged. 'bus' (default): the RS485 link bus, where every pack
   * answers its own ADR. 'rs232': the master's RS232 port, where only the master hears the host
   * and answers whatever ADR says, with its own address (reference §5.1); the slaves are reached
   * only through its 42H/44H relay and broadcast (§10.1).
   */
  port?: 'bus' | 'rs232';
  /** Host receive chunking (ms of wire time). Default 5. */
  chunk_ms?: number;
  /** Calendar time (epoch ms) the packs' RTCs show at start. Default 2025-06-01T08:00:00Z. */
  rtcStart_ms?: number;
  /** Starting state of charge (fraction). Default 0.6. */
  initialSoc?: number;
  /** Days of invented past events in each pack's history (A1H), so a demo has something to show. Default 90. */
  pastHistory_days?: number;
  /** How the packs encode the uncertain status bits. Default DEFAULT_DECODE_OPTIONS. */
  decodeOptions?: Partial<DecodeOptions>;
  /** The packs' bootloader: flash layout (default 'dual-bank') and timing (SimBootloader defaults). */
  bootloader?: BootloaderOptions;
}

/** The longest physics sub-step: keeps the explicit thermal and bus integration accurate. */
const MAX_SUBSTEP_s = 1;
/** Most simulated time one clock tick may advance, unless the time scale asks for more (see #scheduleTick). */
const MAX_CATCH_UP_ms = 60_000;
const DEFAULT_RTC_START_ms = Date.UTC(2025, 5, 1, 8, 0, 0);
/** Three months of past: a few hundred records per pack, most of what a real pack keeps (400). */
const DEFAULT_PAST_DAYS = 90;

function serial(rng: Rng, prefix: string, length: number): string {
  const digits = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';
  let s = prefix;
  while (s.length < length) s += digits[rng.int(digits.length)];
  return s;
}

export class SimBank {
  readonly packs: SimPack[];
  readonly wire: SimWire;
  readonly firmware: FirmwareOptions;
  readonly turnaround_ms: number;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #tick_ms: number;
  readonly #timeScale: number;
  readonly #reader = new FrameReader();
  readonly #linkListeners = new Set<(e: LinkEvent) => void>();
  readonly #ctx: BankContext;
  readonly #port: 'bus' | 'rs232';
  #tickTimer: TimerId | null = null;
  #lastTickAt_ms: number;
  #simTime_ms = 0;
  #busCharged_Wh = 0;
  #busDischarged_Wh = 0;
  #scenario: Scenario;
  #scenarioStart_ms = 0;
  readonly #bootloaders: BootloaderHost;
  #disposed = false;
  #silent = false;
  #master: SimPack;
  /** Each weak cell's own values while a weak-cell condition has replaced them. */
  readonly #saved = new Map<Condition, { cell: number; capacity_Ah: number; r0_mOhm: number }>();

  constructor(o: SimBankOptions) {
    if (!Number.isInteger(o.packCount) || o.packCount < 1 || o.packCount > 16) throw new RangeError(`packCount must be 1..16, got ${o.packCount}`);
    const addresses = o.addresses ?? Array.from({ length: o.packCount }, (_, i) => i + 1);
    if (addresses.length !== o.packCount) throw new RangeError(`addresses lists ${addresses.length} packs but packCount is ${o.packCount}`);
    // The DIP switch has 4 bits (0–15); a 16th pack gets 0x10, as the vendor client's automatic
    // addressing shows it.
    if (new Set(addresses).size !== addresses.length || addresses.some((a) => !Number.isInteger(a) || a < 0 || a > 0x10)) {
      throw new RangeError(`addresses must be distinct, each 0..16, got ${addresses.join(', ')}`);
    }
    this.firmware = { ...DEFAULT_FIRMWARE, ...o.firmware };
    const fw = this.firmware;
    if (fw.cellCount !== 15 && fw.cellCount !== 16) throw new RangeError(`firmware.cellCount must be 15 or 16, got ${fw.cellCount}`);
    if (fw.tempCount !== 6 && fw.tempCount !== 8) throw new RangeError(`firmware.tempCount must be 6 or 8, got ${fw.tempCount}`);
    this.#clock = o.clock;
    this.#rng = new Rng(o.seed);
    this.turnaround_ms = o.turnaround_ms ?? 20;
    this.#tick_ms = o.realTimeStep_ms ?? 250;
    this.#timeScale = o.timeScale ?? 1;
    this.#port = o.port ?? 'bus';
    if (!(this.#timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${this.#timeScale}`);
    this.wire = new SimWire({
      clock: o.clock,
      baud: o.baud ?? 9600,
      rng: this.#rng.fork('wire'),
      duplex: o.duplex,
      chunk_ms: o.chunk_ms
    });
    if (o.faults) this.wire.setFaults(o.faults);
    this.#bootloaders = new BootloaderHost({
      clock: o.clock,
      wire: this.wire,
      bootloader: o.bootloader ?? {},
      simTime_ms: () => this.#simTime_ms,
      onHandover: () => this.#reader.reset()
    });

    const simClock = { now: () => this.#simTime_ms };
    const rtcStart_ms = o.rtcStart_ms ?? DEFAULT_RTC_START_ms;
    const initialSoc = o.initialSoc ?? 0.6;
    this.packs = addresses.map((address) => {
      const rng = this.#rng.fork(`pack${address}`);
      const idRng = rng.fork('identity');
      const bmsSerial = serial(idRng, `P${fw.board}`, 15);
      return new SimPack({
        address,
        clock: simClock,
        rng,
        cellCount: fw.cellCount,
        tempCount: fw.tempCount,
        design_Ah: 100,
        initialSoc: Math.min(0.98, Math.max(0.05, initialSoc + rng.fork('soc').normal(0, 0.01))),
        ambient_C: 25,
        rtcStart_ms: rtcStart_ms + idRng.int(90_000),
        identity: {
          model: fw.model,
          board: fw.board,
          firmwareVersion: fw.version,
          bluetoothName: fw.bluetoothName ? `PC-${bmsSerial.slice(-4)}` : null,
          bmsSerial,
          packSerial: serial(idRng, 'PK', 16)
        },
        bms: { controlPolarity: o.decodeOptions?.controlPolarity ?? DEFAULT_DECODE_OPTIONS.controlPolarity }
      });
    });

    // One past for the bank (the weather, the evening load, power cuts), lived by each pack its own way.
    const plan = planPastDays(this.#rng.fork('history'), o.pastHistory_days ?? DEFAULT_PAST_DAYS);
    for (const p of this.packs) p.seedHistory(plan, this.#rng.fork(`history${p.address}`));
    this.#master = this.packs[0];
    const decodeOptions: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...o.decodeOptions };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's master getter reads the bank
    const bank = this;
    this.#ctx = {
      firmware: fw,
      decodeOptions,
      packs: this.packs,
      get master() {
        return bank.master;
      },
      members: () => this.members(),
      packAt: (address) => this.packAt(address),
      enterBootloader: (pack, restore) => this.#bootloaders.enter(pack, restore),
      setMaster: (pack) => {
        this.#master = pack;
      },
      setBaud: (baud) => this.wire.setDeviceBaud(baud)
    };

    const sc = o.scenario ?? 'idle';
    this.#scenario = typeof sc === 'string' ? buildScenario(sc, {}, addresses) : buildScenario(sc.name, sc.params ?? {}, addresses);
    this.#applyConditions();

    this.wire.onDevice((chunk) => this.#onDeviceBytes(chunk));
    this.wire.onUnplug(() => {
      this.#reader.reset();
      for (const l of this.#linkListeners) l('unplugged');
    });

    this.#lastTickAt_ms = o.clock.now();
    if (this.#tick_ms > 0) this.#scheduleTick();
  }

  // ---- byte interface -------------------------------------------------------------------------

  /** Host -> bank. */
  write(bytes: Uint8Array): void {
    this.wire.fromHost(bytes);
  }

  /** Bank -> host, already paced at the baud rate. */
  onOutput(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.wire.onHost(listener);
  }

  /** Cable events (unplug / replug), for the transport. */
  onLink(listener: (e: LinkEvent) => void): Unsubscribe {
    this.#linkListeners.add(listener);
    return () => this.#linkListeners.delete(listener);
  }

  get baud(): number {
    return this.wire.baud;
  }

  /** The host's adapter runs at this baud rate: when it is not the packs' own, every byte arrives as garbage. */
  setHostBaud(baud: number): void {
    this.wire.setHostBaud(baud);
  }

  get bitsPerByte(): number {
    return this.wire.bitsPerByte;
  }

  get plugged(): boolean {
    return this.wire.plugged;
  }

  // ---- scenario, faults, time -----------------------------------------------------------------

  get scenario(): Scenario {
    return this.#scenario;
  }

  setScenario(name: ScenarioName, params: ScenarioParams = {}): void {
    const next = buildScenario(
      name,
      params,
      this.packs.map((p) => p.address)
    );
    this.#clearConditions();
    this.#scenario = next;
    this.#scenarioStart_ms = this.#simTime_ms;
    this.#applyConditions();
  }

  inject(fault: Fault): void {
    switch (fault.kind) {
      case 'byte-errors': {
        const { kind: _kind, ...rates } = fault;
        this.wire.setFaults({ ...this.wire.faults, ...rates });
        return;
      }
      case 'echo':
        this.wire.setFaults({ ...this.wire.faults, echo: fault.on });
        return;
      case 'noise':
        this.wire.noise(fault.duration_ms);
        return;
      case 'stall':
        this.wire.stall(fault.duration_ms);
        return;
      case 'unplug':
        this.wire.unplug(fault.afterBytes);
        return;
      case 'replug':
        if (this.wire.plugged) return;
        this.wire.replug();
        for (const l of this.#linkListeners) l('replugged');
        return;
      case 'reboot': {
        const pack = this.packAt(fault.address);
        if (!pack) throw new RangeError(`no pack at address ${fault.address}`);
        this.#bootloaders.powerCycle(pack);
        return;
      }
      case 'force-bootloader': {
        const pack = this.packAt(fault.address);
        if (!pack) throw new RangeError(`no pack at address ${fault.address}`);
        this.#bootloaders.force(pack);
        return;
      }
      case 'upgrade-block':
        this.#bootloaders.addFault(fault);
        return;
      case 'link-cable': {
        const pack = this.packAt(fault.address);
        if (!pack) throw new RangeError(`no pack at address ${fault.address}`);
        pack.linkUp = fault.connected;
        return;
      }
      case 'silence':
        this.#silent = fault.on;
        if (fault.on) this.wire.cutDeviceOutput();
        return;
      case 'clear':
        this.wire.setFaults({});
        return;
    }
  }

  /** True while the 'silence' fault holds the bank quiet. */
  get silent(): boolean {
    return this.#silent;
  }

  /** Advance the physics by dt_ms of simulated time (tests: fast-forward without the clock). */
  step(dt_ms: number): void {
    if (!(dt_ms > 0)) return;
    let left_s = dt_ms / 1000;
    while (left_s > 1e-12) {
      const dt = Math.min(MAX_SUBSTEP_s, left_s);
      this.#physics(dt);
      left_s -= dt;
    }
  }

  /**
   * The simulator's own energy meters (kWh since the bank was built, integrated at the physics
   * step from true currents and terminal voltages): `charged_kWh` / `discharged_kWh` at the bank's
   * bus, i.e. what the inverter put in and took out (packs trading among themselves cancel), and
   * each pack at its own terminals. For tests and checks of the app's statistics; no pack reports
   * these over the protocol.
   */
  energyCounters(): { charged_kWh: number; discharged_kWh: number; packs: { address: number; charged_kWh: number; discharged_kWh: number }[] } {
    return {
      charged_kWh: this.#busCharged_Wh / 1000,
      discharged_kWh: this.#busDischarged_Wh / 1000,
      packs: this.packs.map((p) => ({
        address: p.address,
        charged_kWh: p.model.energyCharged_Wh / 1000,
        discharged_kWh: p.model.energyDischarged_Wh / 1000
      }))
    };
  }

  /** Simulated time (ms) since the bank started. */
  get simTime_ms(): number {
    return this.#simTime_ms;
  }

  packAt(address: number): SimPack | undefined {
    return this.packs.find((p) => p.address === address);
  }

  /** The pack that answers for the bank: the first one (DIP address 1) unless moved with F1H. */
  get master(): SimPack {
    return this.#master;
  }

  /** Packs the master counts and polls (not taken out with F2H), master first, then by address. */
  members(): SimPack[] {
    const rest = this.packs.filter((p) => p !== this.#master && !p.excluded).sort((a, b) => a.address - b.address);
    return [this.#master, ...rest];
  }

  /** The bootloader a pack is in after FF 50 (tests, debug view), or null. */
  get bootloader(): SimBootloader | null {
    return this.#bootloaders.loader;
  }

  /** The pack whose bootloader owns the line, or null. */
  get packInBootloader(): SimPack | null {
    return this.#bootloaders.pack;
  }

  /** Whether this pack lost its application in a single-bank transfer that did not finish. */
  appLost(pack: SimPack): boolean {
    return this.#bootloaders.appLost(pack);
  }

  /** Stop the bank's own timers. */
  dispose(): void {
    this.#disposed = true;
    if (this.#tickTimer !== null) this.#clock.clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
    this.#bootloaders.leave();
  }

  #scheduleTick(): void {
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#tickTimer = null;
      if (this.#disposed) return;
      this.#catchUp();
      this.#scheduleTick();
    }, this.#tick_ms);
  }

  /** Physics up to the clock's now (the bank's own timer, and a request that arrives between ticks). */
  #catchUp(): void {
    const now = this.#clock.now();
    // A browser throttles timers in background tabs and stops them while the laptop sleeps;
    // catching up hours of physics in one go would freeze the page, so the bank skips ahead.
    const cap_ms = Math.max(MAX_CATCH_UP_ms, 4 * this.#tick_ms * this.#timeScale);
    const elapsed_ms = Math.min(cap_ms, (now - this.#lastTickAt_ms) * this.#timeScale);
    this.#lastTickAt_ms = now;
    this.step(elapsed_ms);
  }

  #physics(dt_s: number): void {
    const sc = this.#scenario;
    const demand = demandAt(sc.load, (this.#simTime_ms - this.#scenarioStart_ms) / 1000, this.packs.length);
    const charger = chargerPresent(demand);
    const bus: BusPack[] = this.packs.map((p) => ({
      emf_V: p.model.emf_V(),
      resistance_Ohm: p.model.resistance_Ohm(),
      canCharge: p.conducting && p.status.chargeMosOn,
      canDischarge: p.conducting && p.status.dischargeMosOn,
      chargeLimit_A: p.conducting ? p.bms.chargeLimit_A : undefined
    }));
    const { currents_A } = solveBus(bus, demand);
    this.#simTime_ms += dt_s * 1000;
    let slaveMissing = false;
    for (let i = 0; i < this.packs.length; i++) {
      const p = this.packs[i];
      p.chargerPresent = charger;
      let extra_C = 0;
      for (const c of sc.conditions) if (c.kind === 'hot-pack' && c.pack === p.address) extra_C = c.extraAmbient_C;
      p.model.ambient_C = sc.ambient_C + extra_C;
      p.tick(this.#simTime_ms, dt_s, currents_A[i]);
      if (p !== this.#master && !p.excluded && !p.responsive && p.power !== 'bootloader') slaveMissing = true;
    }
    let bus_Wh = 0;
    for (const p of this.packs) bus_Wh += p.model.lastStepEnergy_Wh;
    if (bus_Wh > 0) this.#busCharged_Wh += bus_Wh;
    else this.#busDischarged_Wh -= bus_Wh;
    // The master polls its slaves on the link bus all the time, which keeps them awake.
    if (this.#master.responsive) for (const p of this.packs) if (p !== this.#master && p.linkUp && !p.excluded) p.noteBusActivity(this.#simTime_ms);
    this.#master.bms.slaveOffline = slaveMissing;
  }

  #applyConditions(): void {
    for (const c of this.#scenario.conditions) this.#applyCondition(c);
  }

  #clearConditions(): void {
    for (const c of this.#scenario.conditions) this.#clearCondition(c);
  }

  #applyCondition(c: Condition): void {
    const pack = this.packAt(c.pack);
    if (!pack) return;
    switch (c.kind) {
      case 'weak-cell': {
        const cell = pack.model.cells[c.cell - 1];
        if (!cell) throw new RangeError(`weak-cell: pack ${c.pack} has no cell ${c.cell}`);
        this.#saved.set(c, { cell: c.cell - 1, capacity_Ah: cell.capacity_Ah, r0_mOhm: cell.r0_mOhm });
        // Same state of charge, less capacity: from here it moves faster than its neighbours in
        // both directions, so it reaches each end of its range first.
        cell.capacity_Ah *= c.capacityFactor;
        cell.r0_mOhm *= c.resistanceFactor;
        return;
      }
      case 'hot-pack': {
        pack.model.coolingFactor = c.coolingFactor;
        pack.model.resistanceFactor = c.resistanceFactor;
        // It has been standing in its hot corner for a while: a 45 kg pack takes hours to warm,
        // which a demo cannot wait for.
        const warm_C = this.#scenario.ambient_C + c.extraAmbient_C;
        pack.model.block_C = Math.max(pack.model.block_C, warm_C);
        pack.model.mos_C = Math.max(pack.model.mos_C, warm_C);
        return;
      }
      case 'failed-sensor':
        if (c.sensor < 1 || c.sensor > pack.model.sensorFaults.length)
          throw new RangeError(`failed-sensor: pack ${c.pack} has no temperature ${c.sensor}`);
        pack.model.sensorFaults[c.sensor - 1] = c.fault;
        return;
      case 'offline-slave':
        pack.linkUp = false;
        return;
    }
  }

  #clearCondition(c: Condition): void {
    const pack = this.packAt(c.pack);
    if (!pack) return;
    switch (c.kind) {
      case 'weak-cell': {
        const saved = this.#saved.get(c);
        if (!saved) return;
        const cell = pack.model.cells[saved.cell];
        cell.capacity_Ah = saved.capacity_Ah;
        cell.r0_mOhm = saved.r0_mOhm;
        this.#saved.delete(c);
        return;
      }
      case 'hot-pack':
        pack.model.coolingFactor = 1;
        pack.model.resistanceFactor = 1;
        return;
      case 'failed-sensor':
        pack.model.sensorFaults[c.sensor - 1] = null;
        return;
      case 'offline-slave':
        pack.linkUp = true;
        return;
    }
  }

  // ---- frames ---------------------------------------------------------------------------------

  #onDeviceBytes(chunk: Uint8Array): void {
    if (this.#bootloaders.loader) {
      this.#bootloaders.deliver(chunk);
      return;
    }
    for (const ev of this.#reader.push(chunk)) {
      if (ev.type === 'frame') this.#handleFrame(ev.frame);
      else if (this.firmware.corruptRequest === 'rtn' && (ev.kind === 'checksum' || ev.kind === 'length')) this.#answerCorrupt(ev.raw, ev.kind);
    }
  }

  #target(adr: number): SimPack | undefined {
    // On RS232 "the BMS does not strictly check ADR" (reference §5.1): ADR 0 reaches the pack the
    // cable is plugged into, which is the master; on its RS232 port every ADR does.
    return adr === 0 || this.#port === 'rs232' ? this.#master : this.packAt(adr);
  }

  #handleFrame(frame: Frame): void {
    if (this.#silent) return;
    const pack = this.#target(frame.adr);
    if (!pack) return;
    pack.noteBusActivity(this.#simTime_ms);
    if (!pack.responsive) return;
    // A BMS measures all the time: its reply holds what flows now. The bank's timer keeps that
    // within one tick; when a busy page runs the timer late, the request brings the physics up.
    if (this.#tickTimer !== null && this.#clock.now() - this.#lastTickAt_ms > this.#tick_ms) this.#catchUp();
    const res = respond(pack, frame, this.#ctx);
    if (!res.reply) {
      res.after?.();
      return;
    }
    const end = this.wire.toHost(encodeFrame(res.reply), this.turnaround_ms);
    if (res.after) {
      const after = res.after;
      this.#clock.setTimeout(after, Math.max(0, end - this.#clock.now()));
    }
  }

  /** A corrupted request, answered with RTN 02 / 03 by the pack its ADR characters name. */
  #answerCorrupt(raw: Uint8Array, kind: 'checksum' | 'length'): void {
    if (this.#silent || raw.length < 5 || raw[0] !== 0x7e) return;
    const adr = parseInt(String.fromCharCode(raw[3], raw[4]), 16);
    if (!Number.isInteger(adr)) return;
    const pack = this.#target(adr);
    if (!pack || !pack.responsive) return;
    const reply: Frame = {
      ver: this.firmware.ver,
      adr: pack.address,
      cid1: CID1_LFP,
      code: kind === 'checksum' ? RTN.checksumError : RTN.lengthChecksumError,
      info: new Uint8Array(0)
    };
    this.wire.toHost(encodeFrame(reply), this.turnaround_ms);
  }
}

export function createSimBank(options: SimBankOptions): SimBank {
  return new SimBank(options);
}
