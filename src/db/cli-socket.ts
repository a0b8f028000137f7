import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { HeldSession, PgliteDatabase } from './pglite.js';
import {
  authenticationOk,
  backendState,
  CANCEL_REQUEST,
  completeMessages,
  copyFailMessage,
  errorResponse,
  executeMessage,
  GSSENC_REQUEST,
  messagesToSend,
  negotiateProtocolVersion,
  parameterStatus,
  PROTOCOL_3,
  queryMessage,
  readStartupPacket,
  readyForQuery,
  SSL_REQUEST,
  syncMessage,
  type TransactionStatus,
} from './wire-protocol.js';

/**
 * The running tool's embedded database, offered to the admin CLI on a Unix socket in DATA_DIR.
 *
 * PGlite is one PostgreSQL session. The tool's own queries take it one at a time (a transaction
 * for its whole length); a CLI connection takes it the same way, from the first message of a
 * request until the backend is idle again outside a transaction (ReadyForQuery 'I'). So a CLI
 * transaction never interleaves with the tool's, in either direction. A CLI that goes away or
 * stays silent while holding the session is cut off, and whatever it left open is undone before
 * the tool gets the session back.
 *
 * Why not @electric-sql/pglite-socket: it queues each wire message on its own (Parse, Bind and
 * Sync of one query may be split by other work) and only coordinates its own socket clients, so
 * the tool's own queries would run inside a CLI transaction and the CLI's inside the tool's; its
 * peer dependencies also pin another PGlite version and seven extension packages.
 */

/** The socket lives in its own owner-only folder, under the name node-postgres and psql look for. */
export const CLI_SOCKET_PORT = 5432;
export const cliSocketDirectory = (dataDir: string): string => path.join(dataDir, 'cli');
export const cliSocketPath = (dataDir: string): string => path.join(cliSocketDirectory(dataDir), `.s.PGSQL.${CLI_SOCKET_PORT}`);

/** sun_path holds 108 bytes on Linux, the last one a NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/** How long a CLI connection may hold the session while the tool waits and the CLI sends nothing. */
export const DEFAULT_HOLD_TIMEOUT_MS = 30_000;

/** What the CLI's session leaves behind that would outlive it in the tool's: undone when it goes. */
const RESET_SESSION = 'CLOSE ALL; DEALLOCATE ALL; RESET ALL; UNLISTEN *; SELECT pg_advisory_unlock_all()';

export class CliSocketError extends Error {}

export interface CliSocketServer {
  readonly path: string;
  /** Stops listening, undoes what open CLI connections hold, and removes the socket. */
  close(): Promise<void>;
}

export interface CliSocketOptions {
  readonly database: PgliteDatabase;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly holdTimeoutMs?: number;
}

/** Makes DATA_DIR/cli ours alone: a directory (not a link), owned by this user, mode 0700. */
function prepareDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new CliSocketError(`${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new CliSocketError(`${dir} belongs to another user (uid ${stat.uid})`);
  fs.chmodSync(dir, 0o700);
}

async function sessionParameters(database: PgliteDatabase): Promise<[string, string][]> {
  const names = ['server_version', 'server_encoding', 'client_encoding', 'DateStyle', 'IntervalStyle', 'TimeZone', 'integer_datetimes', 'standard_conforming_strings'];
  return database.session(async (session) => {
    const [row] = await session.query<Record<string, string>>(`select ${names.map((name, i) => `current_setting('${name}') as p${i}`).join(', ')}`);
    return names.map((name, i) => [name, row![`p${i}`]!]);
  });
}

export async function serveCliSocket(options: CliSocketOptions): Promise<CliSocketServer> {
  const socketPath = cliSocketPath(options.dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new CliSocketError(`the socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a Unix socket allows; use a shorter DATA_DIR`);
  }
  prepareDirectory(cliSocketDirectory(options.dataDir));
  // The data directory's lock file says no other live process uses it, so a socket already there
  // was left by a process that was killed: replace it.
  if (fs.existsSync(socketPath)) {
    fs.rmSync(socketPath, { force: true });
    options.logger.info({ socket: socketPath }, 'replaced the CLI socket left by an earlier run');
  }
  const parameters = await sessionParameters(options.database);
  const connections = new Set<CliConnection>();
  const server = net.createServer((socket) => {
    const connection = new CliConnection(socket, options, parameters);
    connections.add(connection);
    void connection.finished.then(() => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  server.on('error', (error) => options.logger.error({ err: error }, 'CLI socket error'));

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of connections) connection.end();
        await Promise.all([...connections].map((connection) => connection.finished));
        await stopped;
        fs.rmSync(socketPath, { force: true });
      })();
      return closing;
    },
  };
}

/** One CLI connection: the startup handshake answered here, then its requests relayed to PGlite. */
class CliConnection {
  readonly finished: Promise<void>;
  #buffer = Buffer.alloc(0);
  #started = false;
  #held: HeldSession | undefined;
  /** Where the backend was left by this connection's last request. */
  #state: TransactionStatus | 'copy-in' | 'mid-request' = 'I';
  /** Whether this connection ran anything, so that its session state needs undoing. */
  #ranSomething = false;
  #work: Promise<void> = Promise.resolve();
  #holdTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: CliSocketOptions,
    private readonly parameters: readonly [string, string][],
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#enqueue(() => this.#drain());
    });
    socket.on('error', () => socket.destroy());
    this.finished = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        clearTimeout(this.#holdTimer);
        this.#enqueue(() => this.#undo());
        void this.#work.then(resolve);
      });
    });
  }

  end(): void {
    this.socket.destroy();
  }

  #enqueue(step: () => Promise<void>): void {
    this.#work = this.#work.then(step).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'CLI socket connection failed');
      this.socket.destroy();
    });
  }

  async #drain(): Promise<void> {
    if (this.#closed) return;
    if (!this.#started && !this.#startup()) return;
    const messages = completeMessages(this.#buffer);
    const terminate = messages.findIndex((m) => m.type === 'X');
    const count = messagesToSend(terminate === -1 ? messages : messages.slice(0, terminate));
    if (count > 0) {
      const end = messages[count - 1]!.end;
      const request = this.#buffer.subarray(0, end);
      this.#buffer = this.#buffer.subarray(end);
      await this.#run(request);
    }
    if (terminate !== -1) this.socket.end();
  }

  /** Answers SSL and GSS requests with "no" and the startup message itself; false until it is done. */
  #startup(): boolean {
    for (;;) {
      const packet = readStartupPacket(this.#buffer);
      if (!packet) return false;
      this.#buffer = this.#buffer.subarray(packet.length);
      if (packet.code === SSL_REQUEST || packet.code === GSSENC_REQUEST) {
        this.socket.write('N');
        continue;
      }
      if (packet.code === CANCEL_REQUEST) {
        // The embedded backend cannot be interrupted; PostgreSQL never answers a cancel request either.
        this.socket.end();
        return false;
      }
      if (packet.code >>> 16 !== PROTOCOL_3 >>> 16) {
        this.socket.end(errorResponse('FATAL', '0A000', `unsupported frontend protocol ${packet.code >>> 16}.${packet.code & 0xffff}`));
        return false;
      }
      // The startup parameters (user, database, application_name, options) are not applied: they
      // would change the tool's own session.
      this.socket.write(
        Buffer.concat([
          authenticationOk(),
          ...((packet.code & 0xffff) > 0 ? [negotiateProtocolVersion()] : []),
          ...this.parameters.map(([name, value]) => parameterStatus(name, value)),
          readyForQuery('I'),
        ]),
      );
      this.#started = true;
      return true;
    }
  }

  async #run(request: Uint8Array): Promise<void> {
    clearTimeout(this.#holdTimer);
    this.#held ??= await this.options.database.holdSession();
    this.#ranSomething = true;
    const output = await this.#held.exchange(request);
    if (!this.#closed) this.socket.write(Buffer.from(output));
    this.#state = backendState(output) ?? 'mid-request';
    if (this.#state === 'I') this.#release();
    else this.#armHoldTimer();
  }

  #release(): void {
    this.#held?.release();
    this.#held = undefined;
  }

  #armHoldTimer(): void {
    const timeoutMs = this.options.holdTimeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS;
    this.#holdTimer = setTimeout(() => {
      this.options.logger.warn({ timeoutMs }, 'a CLI connection held the database without sending anything; it was disconnected and its transaction rolled back');
      const notice = errorResponse('FATAL', '25P03', `terminating the CLI connection: it held the tool's database for ${timeoutMs / 1000} s without sending anything`);
      this.socket.end(notice, () => this.socket.destroy());
    }, timeoutMs);
    this.#holdTimer.unref();
  }

  /** After the client has gone: end its request and transaction, and undo its session settings. */
  async #undo(): Promise<void> {
    if (!this.#ranSomething) return;
    this.#held ??= await this.options.database.holdSession();
    try {
      if (this.#state === 'copy-in') await this.#held.exchange(copyFailMessage('the CLI connection closed'));
      // What ran of an unfinished request must not be committed by the Sync below: fail it first.
      if (this.#state === 'mid-request') await this.#held.exchange(executeMessage('laeringslop-no-such-portal'));
      // A Sync ends an unfinished extended-protocol request, including one the backend is skipping after an error.
      const state = backendState(await this.#held.exchange(syncMessage()));
      if (state !== 'I') await this.#held.exchange(queryMessage('ROLLBACK'));
      await this.#held.exchange(queryMessage(RESET_SESSION));
    } finally {
      this.#release();
    }
  }
}
