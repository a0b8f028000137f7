import { describe, expect, it } from 'vitest';
import { formatScorm12Time, formatScorm2004Time, parseDuration } from '../../../src/scorm/scorm-time.js';

// SCORM 1.2 RTE §3.4.4 (CMITimespan HHHH:MM:SS.SS) and SCORM 2004 RTE §4.1.1.7 (timeinterval,
// ISO 8601 duration). Liberal in what we read (real authoring tools), strict in what we write.
describe('time values', () => {
  it.each([
    ['00:02:30', 150],
    ['0000:00:05.5', 5.5],
    ['12:00:00.25', 43200.25],
    ['PT2M30S', 150],
    ['PT1H', 3600],
    ['P1DT1S', 86401],
    ['PT0.5S', 0.5],
    ['P0S', 0],
    ['PT0S', 0],
    ['PT50S.21S', 50.21],
    ['PT1,5S', 1.5],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 2);
  });

  it.each(['', 'abc', '12:345', 'P', 'T5S', '1 hour'])('cannot read %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('writes 1.2 totals as HHHH:MM:SS.SS and 2004 totals as ISO 8601 durations', () => {
    expect(formatScorm12Time(0)).toBe('0000:00:00.00');
    expect(formatScorm12Time(3723.456)).toBe('0001:02:03.46');
    expect(formatScorm2004Time(0)).toBe('PT0S');
    expect(formatScorm2004Time(3723.5)).toBe('PT1H2M3.5S');
    for (const seconds of [0, 1, 59.99, 3600, 86399.5, 400000]) {
      expect(parseDuration(formatScorm12Time(seconds))).toBeCloseTo(seconds, 1);
      expect(parseDuration(formatScorm2004Time(seconds))).toBeCloseTo(seconds, 1);
    }
  });
});
