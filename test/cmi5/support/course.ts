import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/project-root.js';
import { rawZip, tempFile } from '../../content/support/package-zip.js';

/** The cmi5 course of our own making: two AUs in a block, the test with a masteryScore. */
export const CMI5_COURSE_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'cmi5', 'course');
export const CMI5_XML = fs.readFileSync(path.join(CMI5_COURSE_DIR, 'cmi5.xml'), 'utf8');
export const COURSE_ID = 'https://laeringslop.example/cmi5/smittevern';
export const BLOCK_ID = 'https://laeringslop.example/cmi5/smittevern/del-1';
export const INTRO_AU = 'https://laeringslop.example/cmi5/smittevern/innforing';
export const TEST_AU = 'https://laeringslop.example/cmi5/smittevern/prove';

export function cmi5CourseEntries(): { name: string; data: Buffer }[] {
  return fs.readdirSync(CMI5_COURSE_DIR).sort().map((name) => ({ name, data: fs.readFileSync(path.join(CMI5_COURSE_DIR, name)) }));
}

/** The course as a zip on disk. */
export function cmi5CourseZip(name = 'smittevern.zip'): string {
  const file = tempFile(name);
  fs.writeFileSync(file, rawZip(cmi5CourseEntries()));
  return file;
}
