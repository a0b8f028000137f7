/**
 * The few pieces of the PostgreSQL wire protocol (version 3.0, "Frontend/Backend Protocol" chapter
 * of the PostgreSQL manual) that the CLI socket needs: cutting the client's byte stream into
 * messages, and the backend messages it answers itself.
 */

/** Startup-phase codes (§55.7, StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
export const PROTOCOL_3 = 3 << 16;
export const SSL_REQUEST = 80_877_103;
export const GSSENC_REQUEST = 80_877_104;
export const CANCEL_REQUEST = 80_877_102;

/** The transaction status a ReadyForQuery carries: idle, in a transaction, in a failed transaction. */
export type TransactionStatus = 'I' | 'T' | 'E';

export interface StartupPacket {
  /** The request code or protocol version (the second int32). */
  readonly code: number;
  readonly length: number;
}

/** The first packet, which has no type byte; undefined until all of it has arrived. */
export function readStartupPacket(buffer: Buffer): StartupPacket | undefined {
  if (buffer.length < 8) return undefined;
  const length = buffer.readInt32BE(0);
  if (length < 8 || length > 10_000) throw new WireProtocolError(`a startup packet of ${length} bytes`);
  if (buffer.length < length) return undefined;
  return { code: buffer.readInt32BE(4), length };
}

export class WireProtocolError extends Error {}

export interface FrontendMessage {
  readonly type: string;
  /** Where the message ends in the buffer. */
  readonly end: number;
}

/** The complete typed messages at the start of `buffer`. */
export function completeMessages(buffer: Buffer): FrontendMessage[] {
  const messages: FrontendMessage[] = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const length = buffer.readInt32BE(offset + 1);
    if (length < 4) throw new WireProtocolError(`a message of length ${length}`);
    if (buffer.length - offset < 1 + length) break;
    offset += 1 + length;
    messages.push({ type: String.fromCharCode(buffer[offset - 1 - length]!), end: offset });
  }
  return messages;
}

/**
 * Messages after which the backend answers at once: Sync and Query end with ReadyForQuery,
 * FunctionCall too, Flush asks for what is pending, CopyDone and CopyFail end a COPY FROM STDIN.
 * Everything before one of these waits, so that Parse … Sync from one client always reaches the
 * backend as one piece.
 */
const ANSWERED_AT_ONCE = new Set(['S', 'Q', 'F', 'H', 'c', 'f']);

/** How many of `messages` to send now: up to and including the last one the backend answers at once. */
export function messagesToSend(messages: readonly FrontendMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (ANSWERED_AT_ONCE.has(messages[i]!.type)) return i + 1;
  return 0;
}

/** Where the backend stands after writing `output`: the last ReadyForQuery's status, or in COPY FROM STDIN. */
export function backendState(output: Uint8Array): TransactionStatus | 'copy-in' | undefined {
  let state: TransactionStatus | 'copy-in' | undefined;
  const view = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  let offset = 0;
  while (view.length - offset >= 5) {
    const type = view[offset]!;
    const length = view.readInt32BE(offset + 1);
    if (type === 0x5a /* Z */ && length === 5) state = String.fromCharCode(view[offset + 5]!) as TransactionStatus;
    else if (type === 0x47 /* G: CopyInResponse */) state = 'copy-in';
    offset += 1 + length;
  }
  return state;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cstring = (value: string) => Buffer.from(`${value}\0`, 'utf8');

export const authenticationOk = (): Buffer => message('R', Buffer.from([0, 0, 0, 0]));

export const parameterStatus = (name: string, value: string): Buffer => message('S', Buffer.concat([cstring(name), cstring(value)]));

export const readyForQuery = (status: TransactionStatus): Buffer => message('Z', Buffer.from(status, 'latin1'));

/** NegotiateProtocolVersion: the newest minor version served (0) and no unrecognised options. */
export const negotiateProtocolVersion = (): Buffer => message('v', Buffer.alloc(8));

/** An ErrorResponse (§55.8 fields S, V, C, M). */
export function errorResponse(severity: 'ERROR' | 'FATAL', sqlState: string, text: string): Buffer {
  const fields = [`S${severity}`, `V${severity}`, `C${sqlState}`, `M${text}`].map(cstring);
  return message('E', Buffer.concat([...fields, Buffer.from([0])]));
}

export const syncMessage = (): Buffer => message('S', Buffer.alloc(0));

export const queryMessage = (sql: string): Buffer => message('Q', cstring(sql));

export const copyFailMessage = (reason: string): Buffer => message('f', cstring(reason));

/** Execute of a portal (an Execute of a portal that does not exist fails, aborting the request). */
export const executeMessage = (portal: string): Buffer => message('E', Buffer.concat([cstring(portal), Buffer.alloc(4)]));
