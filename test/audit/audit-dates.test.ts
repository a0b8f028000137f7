import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/web/audit/csv.js';
import { osloMidnight, osloTime, parseDay } from '../../src/web/audit/dates.js';

describe('audit log days and CSV cells', () => {
  it('reads Norwegian and ISO dates, refuses impossible ones', () => {
    expect(parseDay('31.12.2026')).toEqual({ y: 2026, m: 12, d: 31 });
    expect(parseDay(' 2026-03-05 ')).toEqual({ y: 2026, m: 3, d: 5 });
    expect(parseDay('1.2.2026')).toEqual({ y: 2026, m: 2, d: 1 });
    for (const bad of ['31.02.2026', '2026-13-01', 'i går', '2026/01/01', '']) expect(parseDay(bad)).toBeUndefined();
  });

  it("a day starts at midnight in Norway, summer time included", () => {
    expect(osloMidnight({ y: 2026, m: 1, d: 15 }).toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(osloMidnight({ y: 2026, m: 7, d: 15 }).toISOString()).toBe('2026-07-14T22:00:00.000Z');
    // The day after the last of the month rolls over.
    expect(osloMidnight({ y: 2026, m: 12, d: 32 }).toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(osloTime(new Date('2026-12-05T23:05:00Z'))).toBe('2026-12-06 00:05:00');
  });

  it('quotes what needs quoting and never lets a cell be a formula', () => {
    expect(csvCell('Kari')).toBe('Kari');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('si "hei"')).toBe('"si ""hei"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+47 99')).toBe("'+47 99");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvLine(['a', 'b\nc'])).toBe('a;"b\nc"\r\n');
  });
});
