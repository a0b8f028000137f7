import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { StatementGroups } from '../statement-groups.js';
import type { StatementStatistics } from '../statement-statistics.js';
import type { XapiVersion } from '../version.js';
import type { Reader } from '../visibility.js';

/** Statement writes under way in this process; statements stored before the oldest are all visible. */
export class WriteTracker {
  readonly #started = new Map<number, number>();
  #next = 0;

  constructor(private readonly now: () => number = Date.now) {}

  begin(): number {
    const token = this.#next++;
    this.#started.set(token, this.now());
    return token;
  }

  end(token: number): void {
    this.#started.delete(token);
  }

  /** X-Experience-API-Consistent-Through (Part Three §2.1.3): now, or just before the oldest write in flight. */
  consistentThrough(): Date {
    let oldest = this.now();
    for (const started of this.#started.values()) oldest = Math.min(oldest, started - 1);
    return new Date(oldest);
  }
}

/** Statements a launch credential stored: what the paths side listens for (src/web/learner/xapi-bridge.ts). */
export interface LaunchStatementsStored {
  readonly tenantId: string;
  readonly registration: string;
  readonly actorKey: string;
  readonly courseActivityId: string;
  /** The verb ids of the statements stored, in order. */
  readonly verbIds: readonly string[];
  /** Set when the credential is a cmi5 AU session's. */
  readonly cmi5SessionId?: string;
  /** The statements as stored (ids filled in). */
  readonly statements: readonly unknown[];
}

/** Filled by later capabilities before the first request. */
export interface LaunchHooks {
  statementsStored?: (stored: LaunchStatementsStored) => Promise<void>;
  /**
   * Checks what a cmi5 AU session sends before it is stored (src/cmi5/): throws an XapiError to
   * refuse the whole request.
   */
  checkCmi5Statements?: (tenantId: string, sessionId: string, statements: readonly unknown[]) => Promise<void>;
  /** Runs one statement request of a cmi5 AU session after the session's earlier ones (src/cmi5/lms.ts). */
  cmi5Serialised?: (tenantId: string, sessionId: string, work: () => Promise<string[]>) => Promise<string[]>;
  /** Notes that a cmi5 AU session read the learner preferences agent profile (cmi5 §11). */
  cmi5PreferencesRead?: (tenantId: string, sessionId: string) => Promise<void>;
}

export interface LrsContext {
  readonly db: Kysely<Schema>;
  readonly publicUrl: string;
  /** The path part of PUBLIC_URL ("" at the root), so `more` links stay valid behind a base path. */
  readonly basePath: string;
  readonly tracker: WriteTracker;
  /** Statement writes of concurrent requests, committed together. */
  readonly statementGroups: StatementGroups;
  /** Keeps the planner's statistics of the statements table fresh as it grows. */
  readonly statistics: StatementStatistics;
  /** The most statements one page holds (also what limit=0 means). */
  readonly maxPageSize: number;
  readonly launchHooks: LaunchHooks;
}

export interface AuthorisedRequest {
  readonly context: LrsContext;
  readonly reader: Reader;
  /** The xAPI version the request named; the rules that differ between 1.0.3 and 2.0 follow it. */
  readonly version: XapiVersion;
}
