// Vendor extension commands on the write path. Only the address setting can be confirmed (the
// pack answers at its new address with its own serial); the others have no read command in any
// document, so an acknowledged change is "unverified" and the page says how to check it by hand.

import { readProductInfo } from '../protocol/commands/info';
import type { AddressRequest, CanBitrateRequest, ExtensionId, SerialBaudRequest, WifiCredentials } from '../protocol/commands/extensions';
import { ask, type PackRef } from './bus';
import { EXTENSION_TITLES, type Extensions } from './extension-profile';
import type { Verification, WriteOperation, WritePath, WriteReport } from './write-path';

export type ExtensionRequest =
  | ({ id: 'setSoftwareAddress' } & AddressRequest)
  | ({ id: 'setHost' } & AddressRequest)
  | ({ id: 'exitModule' } & AddressRequest)
  | ({ id: 'setSerialBaud' } & SerialBaudRequest)
  | ({ id: 'setCanBitrate' } & CanBitrateRequest)
  | ({ id: 'setWifi' } & WifiCredentials);

const NO_READ_BACK: Record<Exclude<ExtensionId, 'setSoftwareAddress'>, string> = {
  setHost: 'no command reads the host setting back: read the bank again and check which pack reports the pack count.',
  exitModule: 'no command reads this back: read the bank again and check that the pack is no longer counted.',
  setSerialBaud: 'no command reads the baud rate back: reconnect at the new rate and read the pack to confirm.',
  setCanBitrate: "no command reads the CAN bit rate back: check the inverter's BMS communication status.",
  setWifi: "no command reads the Wi-Fi settings back: check the pack's Wi-Fi status in the vendor app."
};

function payload(req: ExtensionRequest): unknown {
  const { id: _id, ...rest } = req;
  return rest;
}

function shown(req: ExtensionRequest): string {
  switch (req.id) {
    case 'setWifi':
      return `SSID "${req.ssid}"`;
    case 'setSerialBaud':
      return `${req.baud} bit/s`;
    case 'setCanBitrate':
      return `${req.bitrate_kbps} kbit/s`;
    default:
      return `address ${req.address}`;
  }
}

export function setExtension(
  path: WritePath,
  pack: PackRef,
  extensions: Extensions,
  req: ExtensionRequest,
  o: { signal?: AbortSignal } = {}
): Promise<WriteReport> {
  const title = EXTENSION_TITLES[req.id];
  const availability = extensions.of(req.id);
  const command = extensions.command(req.id);
  let problem: string | null = null;
  if (command) {
    try {
      command.encodeRequest(payload(req) as never);
    } catch (e) {
      problem = (e as Error).message;
    }
  }
  const op: WriteOperation = {
    kind: 'extension',
    pack,
    title: `${title}: ${shown(req)}`,
    ...(availability.enabled && command ? {} : { refuse: availability.message }),
    violations: problem ? [{ rule: 'range', kind: 'range', params: [`extension.${req.id}`], message: problem }] : [],
    snapshot: async () => ({ ok: true, values: {}, groups: [] }),
    plan: () => {
      const verify =
        req.id === 'setSoftwareAddress'
          ? async (bus: Parameters<WriteOperation['snapshot']>[0]): Promise<Verification> => {
              const r = await ask(bus, readProductInfo, req.address, {});
              if (!r.ok)
                return { kind: 'unreadable', message: `No answer at the new address ${req.address}: ${r.message}`, lost: r.kind === 'transport' };
              const serial = r.value.bmsSerial.trim();
              return serial === pack.bmsSerial
                ? { kind: 'match', readBack: { 'extension.address': req.address } }
                : {
                    kind: 'mismatch',
                    readBack: { 'extension.address': null },
                    message: `Address ${req.address} is answered by serial ${serial}, not this pack.`
                  };
            }
          : async (): Promise<Verification> => ({
              kind: 'no-read-back',
              message: NO_READ_BACK[req.id as Exclude<ExtensionId, 'setSoftwareAddress'>]
            });
      return {
        steps: [
          {
            what: `${title} (${command!.cid2.toString(16).toUpperCase()}H)`,
            command: command!,
            request: payload(req),
            changes: [{ key: `extension.${req.id}`, label: title, from: null, to: shown(req) }],
            verify,
            explainRefusal: (rtn, message) => {
              if (rtn === 0x04) {
                extensions.markUnsupported(req.id);
                return `This pack does not know the ${title.toLowerCase()} command (RTN 04): the codes in use are not this firmware's.`;
              }
              return message;
            }
          }
        ]
      };
    }
  };
  return path.run(op, o);
}
