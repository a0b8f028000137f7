import { describe, expect, it } from 'vitest';
import { mapColumns } from '../../src/organisation/hr-import/columns.js';
import { problemText } from '../../src/organisation/hr-import/problems.js';
import { readHrFile } from '../../src/organisation/hr-import/read-file.js';
import { parseDate, parsePercentage, parseYesNo } from '../../src/organisation/hr-import/values.js';
import { csv, sampleBytes, windows1252Variant } from './hr-csv.js';

const unitRows = [';;;;K;Kommunen;;;;;;;;', ';;;;K-A;Avdeling A;K;;;;;;;'];

describe('HR file values', () => {
  it('reads Norwegian and ISO dates and refuses days that do not exist', () => {
    expect(parseDate('31.12.2026')).toBe('2026-12-31');
    expect(parseDate('1.2.2026')).toBe('2026-02-01');
    expect(parseDate('2026-12-31')).toBe('2026-12-31');
    expect(parseDate('2026-12-31T00:00:00')).toBe('2026-12-31');
    expect(parseDate('31.02.2026')).toBeUndefined();
    expect(parseDate('2026-13-01')).toBeUndefined();
    expect(parseDate('12/31/2026')).toBeUndefined();
    expect(parseDate('i går')).toBeUndefined();
  });

  it('reads decimal commas and points, with or without %, between 0 and 100', () => {
    expect(parsePercentage('50,5')).toBe('50.50');
    expect(parsePercentage('50.5')).toBe('50.50');
    expect(parsePercentage('33,33 %')).toBe('33.33');
    expect(parsePercentage('100')).toBe('100.00');
    expect(parsePercentage('0')).toBeUndefined();
    expect(parsePercentage('100,01')).toBeUndefined();
    expect(parsePercentage('50,555')).toBeUndefined();
    expect(parsePercentage('-10')).toBeUndefined();
    expect(parsePercentage('1 000')).toBeUndefined();
  });

  it('reads yes and no as HR systems write them', () => {
    expect([parseYesNo('Ja'), parseYesNo('x'), parseYesNo('1'), parseYesNo('true')]).toEqual([true, true, true, true]);
    expect([parseYesNo('Nei'), parseYesNo(''), parseYesNo('0')]).toEqual([false, false, false]);
    expect(parseYesNo('kanskje')).toBeUndefined();
  });

  it('maps header names and their aliases, whatever their case and spacing', () => {
    const map = mapColumns(['Ansattnr', 'ENHETSKODE', 'Enhetsnavn', 'Overordnet_enhet', 'Stilling', 'Stillingsprosent', 'Start date', 'E-post', 'Employee_Number']);
    expect(map.index).toMatchObject({ employeeNumber: 0, unitCode: 1, unitName: 2, parentCode: 3, jobTitle: 4, percentage: 5, startDate: 6, email: 7 });
    expect(map.duplicates).toEqual(['Employee_Number']);
    expect(map.missing).toEqual([]);
  });
});

describe('reading an HR file', () => {
  it('reads the sample: units from unit rows and employment rows, one person with two employments', () => {
    const file = readHrFile(sampleBytes());
    expect(file.problems).toEqual([]);
    expect(file.encoding).toBe('utf-8');
    expect(file.delimiter).toBe(';');
    expect(file.units.size).toBe(7);
    expect(file.units.get('3303-HO-SJ-A')).toMatchObject({ name: 'Sykehjem avdeling A', parentCode: '3303-HO-SJ' });
    expect(file.people.size).toBe(8);
    expect(file.employments.filter((e) => e.employeeNumber === '10003').map((e) => [e.unitCode, e.percentage])).toEqual([
      ['3303-HO-SJ-A', '40.00'],
      ['3303-HO-HJ', '30.00'],
    ]);
    expect(file.employments.find((e) => e.employeeNumber === '10004')).toMatchObject({ percentage: '50.50', startDate: '2023-02-01', endDate: null, leads: false });
  });

  it('reads the same from windows-1252 with `,` or `;`, decimal commas and the other date format', () => {
    const base = readHrFile(sampleBytes());
    for (const separator of [',', ';'] as const) {
      const file = readHrFile(windows1252Variant(separator));
      expect(file.problems).toEqual([]);
      expect(file.encoding).toBe('windows-1252');
      expect(file.delimiter).toBe(separator);
      expect(file.employments).toEqual(base.employments);
      expect([...file.people.values()]).toEqual([...base.people.values()]);
      expect([...file.units.values()]).toEqual([...base.units.values()]);
    }
  });

  it('reads UTF-8 with a byte order mark and quoted fields with separators, quotes and line breaks', () => {
    const body = Buffer.from(
      [
        'ansattnummer,fornavn,etternavn,enhetskode,enhetsnavn,stillingstittel,stillingsprosent,startdato',
        'E1,"Anne ""Nora""",Ås,K,"Kommunen, sentralt",Rådgiver,"50,5",01.01.2024',
        'E2,"Per',
        'Arne",Li,K,,Konsulent,100,2024-01-01',
        'E3,Bo,Ek,K,,Konsulent,abc,2024-01-01',
      ].join('\r\n'),
    );
    const file = readHrFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
    expect(file.encoding).toBe('utf-8');
    expect(file.units.get('K')?.name).toBe('Kommunen, sentralt');
    expect(file.people.get('E1')?.givenName).toBe('Anne "Nora"');
    expect(file.people.get('E2')?.givenName).toBe('Per\nArne');
    expect(file.employments.map((e) => e.percentage)).toEqual(['50.50', '100.00']);
    // The quoted line break makes E3 the fifth line.
    expect(file.problems).toEqual([{ line: 5, code: 'bad-percentage', params: { value: 'abc' } }]);
  });

  it('reports an unquoted decimal comma in a `,` file as a row with too many fields', () => {
    const file = readHrFile(Buffer.from('ansattnummer,enhetskode,enhetsnavn,stillingstittel,stillingsprosent,startdato\nE1,K,Kommunen,Rådgiver,50,5,01.01.2024\n'));
    expect(file.problems).toMatchObject([{ line: 2, code: 'too-many-fields', params: { count: 7, header: 6 } }]);
    expect(problemText(file.problems[0]!, 'nb')).toMatch(/anførselstegn/);
  });

  it('lists every bad row with its line and reason, in three languages', () => {
    const file = readHrFile(
      csv(
        ...unitRows,
        '1;Kari;Li;kari@k.no;K-A;Avdeling A;K;Sykepleier;;50;01.01.2024;;nei;',
        '2;Ola;Li;ikke-epost;K-A;Avdeling A;K;Sykepleier;;150;31.02.2024;;kanskje;',
        '3;Per;Li;;K-A;Avdeling A;K;;;50;01.01.2024;01.01.2023;;',
        '1;Kari;Lie;kari@k.no;K;Kommunen;;Rådgiver;;50;01.01.2024;;;',
        '1;Kari;Li;kari@k.no;K-A;Avdeling A;K;sykepleier;;20;01.01.2024;;;',
        ';Anne;;;K-A;Avdeling A;K;;;;;;;',
        '4;Bo;Ek;;K-A;Avdeling B;K;Assistent;;20;01.01.2024;;;',
        '5;Eva;Ek;;K-X;X;K-Y;Assistent;;20;01.01.2024;;;',
      ),
    );
    expect(file.problems.map((p) => [p.line, p.code])).toEqual([
      [5, 'bad-percentage'],
      [5, 'bad-date'],
      [5, 'bad-leads'],
      [5, 'bad-email'],
      [6, 'missing-value'],
      [6, 'end-before-start'],
      [7, 'person-conflict'],
      [8, 'duplicate-employment'],
      [9, 'person-without-number'],
      [10, 'unit-conflict'],
      [11, 'parent-unknown'],
    ]);
    const conflict = file.problems.find((p) => p.code === 'person-conflict')!;
    expect(problemText(conflict, 'nb')).toBe('Ansattnummer 1 har etternavn «Lie» her, men «Li» på linje 4. Ett ansattnummer er én person.');
    expect(problemText(conflict, 'nn')).toBe('Ansattnummer 1 har etternavn «Lie» her, men «Li» på linje 4. Eitt ansattnummer er éin person.');
    expect(problemText(conflict, 'en')).toBe('Employee number 1 has etternavn “Lie” here, but “Li” on line 4. One employee number is one person.');
    expect(problemText(file.problems.find((p) => p.code === 'unit-conflict')!, 'en')).toBe('Unit K-A has enhetsnavn “Avdeling B” here, but “Avdeling A” on line 3.');
  });

  it('refuses a unit under its own sub-unit and a unit that is its own parent', () => {
    const file = readHrFile(csv(';;;;A;A;C;;;;;;;', ';;;;B;B;A;;;;;;;', ';;;;C;C;B;;;;;;;', ';;;;D;D;D;;;;;;;', ';;;;E;E;;;;;;;;'));
    expect(file.problems.map((p) => [p.line, p.code, p.params['cycle']])).toEqual([
      [2, 'unit-cycle', 'A → C → B → A'],
      [5, 'unit-cycle', 'D → D'],
    ]);
  });

  it('names the missing columns, and refuses UTF-16 and empty files', () => {
    const missing = readHrFile(Buffer.from('ansattnummer;enhetskode;navn\n1;K;Kari\n'));
    expect(missing.problems).toMatchObject([{ line: 1, code: 'missing-columns', params: { columns: 'enhetsnavn, stillingstittel, stillingsprosent, startdato' } }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ansattnummer;enhetskode', 'utf16le')]);
    expect(readHrFile(utf16).problems).toMatchObject([{ line: 0, code: 'file-utf16' }]);
    expect(readHrFile(Buffer.from('')).problems).toMatchObject([{ code: 'file-empty' }]);
  });
});
