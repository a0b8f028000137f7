import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPathComplete, missingPrerequisites, pathScore, scoSatisfies } from '../../src/paths/completion.js';
import { crossCheck, definitionSchema, type PathDefinition, type Step } from '../../src/paths/definition.js';
import type { ScoOutcome } from '../../src/paths/ports.js';

function step(id: string, required: boolean, requires: string[] = []): Step {
  return { id, type: 'web', title: id, required, requires, config: { resource: { kind: 'link', url: 'https://example.org/' }, done: { by: 'mark-as-done' } } };
}

const stepsArbitrary = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }).map((flags) => flags.map((required) => step(randomUUID(), required)));

describe('path completion rule', () => {
  it('all-required: complete exactly when every required step is completed (property)', () => {
    fc.assert(
      fc.property(stepsArbitrary, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (steps, done) => {
        const completed = new Set(steps.filter((_, i) => done[i]).map((s) => s.id));
        const expected = steps.every((s, i) => !s.required || done[i]);
        const definition = { steps, completion: { kind: 'all-required' as const } };
        return isPathComplete(definition, completed) === expected;
      }),
    );
  });

  it('N of M: complete exactly when all required and at least N steps are completed (property)', () => {
    fc.assert(
      fc.property(stepsArbitrary, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.nat(), (steps, done, n) => {
        const count = 1 + (n % steps.length);
        const completed = new Set(steps.filter((_, i) => done[i]).map((s) => s.id));
        const expected = steps.every((s, i) => !s.required || done[i]) && completed.size >= count;
        return isPathComplete({ steps, completion: { kind: 'n-of-m', count } }, completed) === expected;
      }),
    );
  });

  it('more completed steps never make a complete path incomplete (monotone, property)', () => {
    fc.assert(
      fc.property(stepsArbitrary, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.nat(), fc.nat(), (steps, done, n, extra) => {
        const completion = { kind: 'n-of-m' as const, count: 1 + (n % steps.length) };
        const before = new Set(steps.filter((_, i) => done[i]).map((s) => s.id));
        const after = new Set([...before, steps[extra % steps.length]!.id]);
        return !isPathComplete({ steps, completion }, before) || isPathComplete({ steps, completion }, after);
      }),
    );
  });

  it('ignores completed steps that are not in the version (a removed step does not count)', () => {
    const a = step(randomUUID(), false);
    const b = step(randomUUID(), false);
    expect(isPathComplete({ steps: [a, b], completion: { kind: 'n-of-m', count: 2 } }, new Set([a.id, randomUUID()]))).toBe(false);
    expect(isPathComplete({ steps: [], completion: { kind: 'all-required' } }, new Set())).toBe(false);
  });

  it('lists the prerequisites that are missing', () => {
    const a = step(randomUUID(), true);
    const b = step(randomUUID(), true, [a.id]);
    expect(missingPrerequisites({ steps: [a, b] }, b.id, new Set())).toEqual([a.id]);
    expect(missingPrerequisites({ steps: [a, b] }, b.id, new Set([a.id]))).toEqual([]);
  });
});

describe('SCO completion rules', () => {
  const base: ScoOutcome = { kind: 'sco', packageId: 'p', completionStatus: 'incomplete', successStatus: 'unknown' };
  it('completed, passed and score ≥ X each look at their own element only', () => {
    expect(scoSatisfies({ rule: 'completed' }, { ...base, completionStatus: 'completed' })).toBe(true);
    expect(scoSatisfies({ rule: 'completed' }, { ...base, successStatus: 'passed', scoreScaled: 1 })).toBe(false);
    expect(scoSatisfies({ rule: 'passed' }, { ...base, successStatus: 'passed' })).toBe(true);
    expect(scoSatisfies({ rule: 'passed' }, { ...base, completionStatus: 'completed', successStatus: 'failed' })).toBe(false);
    expect(scoSatisfies({ rule: 'score', minimumScaled: 0.8 }, { ...base, scoreScaled: 0.8 })).toBe(true);
    expect(scoSatisfies({ rule: 'score', minimumScaled: 0.8 }, { ...base, scoreScaled: 0.79 })).toBe(false);
    expect(scoSatisfies({ rule: 'score', minimumScaled: 0.8 }, { ...base, completionStatus: 'completed' })).toBe(false);
  });

  it('score ≥ X agrees with a plain comparison for any score (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (min, score) =>
      scoSatisfies({ rule: 'score', minimumScaled: min }, { ...base, scoreScaled: score }) === score >= min));
  });
});

describe('path score rule', () => {
  const a = step(randomUUID(), true);
  const b = step(randomUUID(), true);
  const c = step(randomUUID(), false);
  const states = new Map([
    [a.id, { completed: true, score: 0.5 }],
    [b.id, { completed: true, score: 1 }],
    [c.id, { completed: true, score: 0 }],
  ]);
  it('averages the scored required steps on 0–100; optional steps do not count; no score is invented', () => {
    expect(pathScore({ steps: [a, b, c], score: { kind: 'average-scored-required' } }, states)).toBe(75);
    expect(pathScore({ steps: [a, b, c], score: { kind: 'average-scored-required' } }, new Map())).toBeNull();
    expect(pathScore({ steps: [a, b, c], score: { kind: 'completion' } }, states)).toBe(100);
    expect(pathScore({ steps: [a, b, c], score: { kind: 'step', stepId: a.id } }, states)).toBe(50);
    expect(pathScore({ steps: [a, b, c], score: { kind: 'step', stepId: c.id } }, new Map())).toBeNull();
  });

  it('always lies between 0 and 100 (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }), (scores) => {
      const steps = scores.map(() => step(randomUUID(), true));
      const map = new Map(steps.map((s, i) => [s.id, { completed: true, score: scores[i]! }]));
      const score = pathScore({ steps, score: { kind: 'average-scored-required' } }, map)!;
      return score >= 0 && score <= 100;
    }));
  });
});

describe('definition validation', () => {
  const definition = (steps: Step[], extra: Partial<PathDefinition> = {}): PathDefinition => ({
    title: 'T', description: '', language: 'nb', steps, completion: { kind: 'all-required' }, score: { kind: 'average-scored-required' },
    dueAfterDays: null, grants: [], ...extra,
  });

  it('refuses a prerequisite that is not an earlier step, and N outside the step count', () => {
    const a = step(randomUUID(), true);
    const b = step(randomUUID(), false, [a.id]);
    expect(crossCheck(definition([a, b]), true)).toEqual([]);
    expect(crossCheck(definition([b, a]), true).map((p) => p.path)).toEqual(['steps.0.requires']);
    expect(crossCheck(definition([a, b], { completion: { kind: 'n-of-m', count: 3 } }), true).map((p) => p.path)).toEqual(['completion.count']);
    expect(crossCheck(definition([a, b, step(randomUUID(), true)], { completion: { kind: 'n-of-m', count: 1 } }), true)[0]?.message).toMatch(/2 steps are required/);
    expect(crossCheck(definition([]), true)[0]?.path).toBe('steps');
  });

  it('refuses unknown fields, bad URLs and scripts as links', () => {
    const bad = (config: unknown) => definitionSchema.safeParse(definition([{ ...step(randomUUID(), true), config } as Step])).success;
    expect(bad({ resource: { kind: 'link', url: 'javascript:alert(1)' }, done: { by: 'mark-as-done' } })).toBe(false);
    expect(bad({ resource: { kind: 'link', url: 'https://x.no/' }, done: { by: 'mark-as-done' }, extra: 1 })).toBe(false);
    expect(bad({ resource: { kind: 'link', url: 'https://x.no/' }, done: { by: 'minimum-time', seconds: 0 } })).toBe(false);
    expect(bad({ resource: { kind: 'video', url: 'https://x.no/v.mp4' }, done: { by: 'minimum-time', seconds: 60 } })).toBe(true);
  });
});
