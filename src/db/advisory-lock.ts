import type { Database } from './database.js';

/** Development start-up seeding (the development LMS's registration, the demo path): one process at a time. */
export const DEVELOPMENT_SEED_LOCK = 0x4c4c_0de0;

/**
 * Runs `work` while holding a session-level advisory lock, so that of several processes starting
 * against one server database (WORKERS, replicas) only one does it at a time. The embedded
 * database belongs to one process, so there is nothing to wait for there.
 */
export async function exclusively<T>(database: Database, key: number, work: () => Promise<T>): Promise<T> {
  if (database.kind !== 'postgres') return work();
  return database.session(async (session) => {
    await session.query('select pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await session.query('select pg_advisory_unlock($1)', [key]);
    }
  });
}
