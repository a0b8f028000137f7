import { describe, expect, it } from 'vitest';
import { prerequisitesMet } from '../../../src/scorm/prerequisites.js';

// SCORM 1.2 CAM §2.3.2.2.3: adlcp:prerequisites in the AICC script subset.
const statuses: Record<string, string> = { a: 'passed', b: 'completed', c: 'incomplete', d: 'failed' };
const lookup = (id: string) => statuses[id] ?? 'not attempted';

describe('1.2 prerequisites', () => {
  it.each([
    ['', true],
    ['a', true],
    ['b', true],
    ['c', false],
    ['a & b', true],
    ['a & c', false],
    ['c | b', true],
    ['~c', true],
    ['~(a & b)', false],
    ['(a & c) | b', true],
    ['d = failed', true],
    ['d = f', true],
    ['c <> incomplete', false],
    ['x = n', true],
    ['2*{a,b,c}', true],
    ['3*{a,b,c}', false],
  ])('%j is %s', (expression, met) => {
    expect(prerequisitesMet(expression, lookup)).toBe(met);
  });

  it('blocks nobody when the expression cannot be read', () => {
    expect(prerequisitesMet('a &', lookup)).toBe(true);
    expect(prerequisitesMet('((a', lookup)).toBe(true);
    expect(prerequisitesMet('d = splendid', lookup)).toBe(true);
  });
});
