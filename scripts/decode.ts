// Frame decoder for people and scripts:
//   npm run --silent decode -- [--cmd CID2] [--profile auto|pace|pylon|seplos|eg4] FRAME...
// Frames come from the arguments, or one per line on stdin when there are none. One JSON object
// per frame per line. Exit 0 when every frame decoded, 1 when any was refused, 2 on usage errors.
// The decoding itself lives in src/lib/protocol/explain.ts (the debug page uses it too).

import { explainFrame, type ExplainOptions } from '../src/lib/protocol/explain';
import { isProfileSetting, PROFILE_SETTINGS } from '../src/lib/protocol/detect';

const USAGE = `usage: npm run --silent decode -- [--cmd CID2] [--profile ${PROFILE_SETTINGS.join('|')}] FRAME...

Decodes PACE / Pylontech-style ASCII frames ("~2501...\\r"; the "~" and CR are optional).
Without --cmd each frame is read as a request; with --cmd (hex CID2 of the request, e.g. 42)
as the reply to it. With no FRAME arguments, frames are read from stdin, one per line.
Prints one JSON object per frame; exit status 0 = all decoded, 1 = some refused, 2 = usage.`;

class UsageError extends Error {}

interface Args {
  options: ExplainOptions;
  frames: string[];
  help: boolean;
}

function parseCid2(value: string): number {
  const m = /^(?:0x)?([0-9a-f]{1,2})h?$/i.exec(value.trim());
  if (!m) throw new UsageError(`--cmd wants a CID2 in hex (e.g. 42, C1, 0x90), got "${value}"`);
  return parseInt(m[1], 16);
}

function parseArgs(argv: string[]): Args {
  const options: ExplainOptions = {};
  const frames: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--cmd') options.cmd = parseCid2(value());
    else if (flag === '--profile') {
      const p = value();
      if (!isProfileSetting(p)) throw new UsageError(`--profile must be one of ${PROFILE_SETTINGS.join(', ')}, got "${p}"`);
      options.profile = p;
    } else if (flag === '-h' || flag === '--help') help = true;
    else if (flag === '--') {
      frames.push(...argv.slice(i + 1));
      break;
    } else if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}`);
    else frames.push(arg);
  }
  return { options, frames, help };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('latin1');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`decode: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let frames = args.frames;
  if (frames.length === 0) {
    if (process.stdin.isTTY) {
      process.stderr.write(`decode: no frames given\n${USAGE}\n`);
      return 2;
    }
    // A frame never contains CR or LF inside, so lines are frames whatever the line ending.
    frames = (await readStdin()).split(/[\r\n]+/).filter((line) => line.trim() !== '');
    if (frames.length === 0) {
      process.stderr.write(`decode: no frames on stdin\n${USAGE}\n`);
      return 2;
    }
  }
  let refused = 0;
  for (const text of frames) {
    const result = explainFrame(text, args.options);
    if (!result.ok) refused++;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return refused > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`decode: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  }
);
