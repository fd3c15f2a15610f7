// Helpers the codec tests share: turn a command + typed request into the exact wire text, and a
// captured reply text back into a typed value (through the real frame reader, so every captured
// checksum is verified on the way).

import type { Command } from '../command';
import { encodeFrameText, parseFrameText, type Frame } from '../frame';
import { CID1_LFP, DEFAULT_DECODE_OPTIONS, VER_PACE, type DecodeOptions } from '../types';

/** The request frame text a command produces for `req` at address `adr`. */
export function requestText<Req>(cmd: Command<Req, unknown>, req: Req, adr = 0): string {
  return encodeFrameText({ ver: VER_PACE, adr, cid1: CID1_LFP, code: cmd.cid2, info: cmd.encodeRequest(req) });
}

/** Parse one captured frame; throws with the reader's message when it does not verify. */
export function parseCaptured(text: string): Frame {
  const ev = parseFrameText(text);
  if (ev.type !== 'frame') throw new Error(`captured frame does not parse: ${ev.kind}: ${ev.message}`);
  return ev.frame;
}

/** Decode a captured reply frame with `cmd`, returning the frame too. */
export function decodeCaptured<Req, Res>(
  cmd: Command<Req, Res>,
  text: string,
  req?: Req,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS
): { frame: Frame; value: Res } {
  const frame = parseCaptured(text);
  return { frame, value: cmd.decodeReply(frame.info, { request: req, options }) };
}

/** Rebuild the reply frame text for `res` with the header of `like` (ADR, RTN). */
export function replyText<Req, Res>(
  cmd: Command<Req, Res>,
  res: Res,
  req: Req,
  like: Frame,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS
): string {
  return encodeFrameText({ ...like, info: cmd.encodeReply(res, req, options) });
}

/** The request a captured request frame carries, decoded by `cmd`. */
export function decodeCapturedRequest<Req>(cmd: Command<Req, unknown>, text: string): Req {
  const frame = parseCaptured(text);
  if (frame.code !== cmd.cid2) throw new Error(`frame is CID2 ${frame.code.toString(16)}, command is ${cmd.cid2.toString(16)}`);
  return cmd.decodeRequest(frame.info);
}

/** The write acknowledgement every captured PACE write got. */
export const WRITE_ACK_TEXT = '~250046000000FDAF\r';
