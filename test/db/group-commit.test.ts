import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/db/group-commit.js';

interface Write {
  id: string;
  key?: string;
  rows?: number;
}

/** A group writer that records each group and how many were in flight at once. */
function recording(fail: (write: Write) => boolean = () => false, delayMs = 5) {
  const groups: string[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const writeGroup = async (writes: readonly Write[]) => {
    groups.push(writes.map((w) => w.id));
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight -= 1;
    if (writes.some(fail)) throw new Error(`refused: ${writes.filter(fail).map((w) => w.id).join(',')}`);
    return writes.map((w) => `stored ${w.id}`);
  };
  return { writeGroup, groups, mostInFlight: () => mostInFlight };
}

describe('group commit', () => {
  it('writes what arrives in one turn as one group, and answers each write with its own result', async () => {
    const r = recording();
    const commit = new GroupCommit<Write, string>(r.writeGroup, { inFlight: 2, maxWeight: 100 });
    const results = await Promise.all(['a', 'b', 'c'].map((id) => commit.submit({ id })));
    expect(results).toEqual(['stored a', 'stored b', 'stored c']);
    expect(r.groups).toEqual([['a', 'b', 'c']]);
    expect(commit.stats).toEqual({ groups: 1, writes: 3, retriedAlone: 0 });
  });

  it('keeps groups under their weight in arrival order, and a heavier write still goes alone', async () => {
    const r = recording();
    const commit = new GroupCommit<Write, string>(r.writeGroup, { inFlight: 1, maxWeight: 10, weight: (w) => w.rows ?? 1 });
    await Promise.all([
      commit.submit({ id: 'a', rows: 6 }),
      commit.submit({ id: 'b', rows: 6 }),
      commit.submit({ id: 'c', rows: 1 }),
      commit.submit({ id: 'huge', rows: 50 }),
    ]);
    expect(r.groups).toEqual([['a'], ['b', 'c'], ['huge']]);
  });

  it('never has two writes of one key in flight together, and writes them in order', async () => {
    const r = recording();
    const commit = new GroupCommit<Write, string>(r.writeGroup, { inFlight: 2, maxWeight: 100, key: (w) => w.key! });
    await Promise.all([
      commit.submit({ id: 'a1', key: 'a' }),
      commit.submit({ id: 'a2', key: 'a' }),
      commit.submit({ id: 'b1', key: 'b' }),
      commit.submit({ id: 'a3', key: 'a' }),
    ]);
    expect(r.groups).toEqual([['a1', 'b1'], ['a2'], ['a3']]);
  });

  it('has at most inFlight groups written at once; the others wait and go together', async () => {
    const r = recording();
    const commit = new GroupCommit<Write, string>(r.writeGroup, { inFlight: 2, maxWeight: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => commit.submit({ id: String(i) })));
    expect(r.mostInFlight()).toBe(2);
    expect(r.groups.flat()).toHaveLength(10);
    expect(r.groups.every((g) => g.length <= 2)).toBe(true);
  });

  it('tries the writes of a failed group alone: only the bad one fails', async () => {
    const r = recording((w) => w.id === 'bad');
    const commit = new GroupCommit<Write, string>(r.writeGroup, { inFlight: 2, maxWeight: 100 });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => commit.submit({ id })));
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : `rejected: ${(x.reason as Error).message}`))).toEqual([
      'stored a',
      'rejected: refused: bad',
      'stored c',
    ]);
    expect(r.groups).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(commit.stats.retriedAlone).toBe(3);
  });
});
