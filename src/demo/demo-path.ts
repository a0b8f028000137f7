import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import yazl from 'yazl';
import type { ContentStore } from '../content/content-store.js';
import { importPackage } from '../content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../content/zip-reader.js';
import type { Schema } from '../db/schema.js';
import type { DevLms } from '../dev-lms/dev-lms.js';
import { addStep, editStep, publish, updateDraftSettings } from '../paths/drafts.js';
import { createPath } from '../paths/paths.js';
import { createPerson } from '../people/people.js';
import { PROJECT_ROOT } from '../project-root.js';
import { findMunicipality } from '../tenants/tenants.js';

/** The course link in the development LMS that opens the demo path. */
export const DEMO_LINK_ID = 'demo-brannvern';
export const DEMO_PACKAGE_DIR = path.join(PROJECT_ROOT, 'demo', 'packages', 'brannvern');

/** Competence names as in the municipalities' own competence plans (shared/data/kompetanseomrader.csv). */
const SELF_ASSESSMENT = [
  { id: 'brann-1', competence: 'Brannvern', text: 'Jeg vet hva jeg skal gjøre når brannalarmen går.' },
  { id: 'brann-2', competence: 'Brannvern', text: 'Jeg vet hvor rømningsveiene og slokkeutstyret er der jeg jobber.' },
  { id: 'forste-1', competence: 'Førstehjelp', text: 'Jeg kan starte hjerte-lunge-redning.' },
];

/** Zips a folder (our own demo package) into a temporary file for the normal import. */
async function zipFolder(dir: string): Promise<string> {
  const file = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'laeringslop-demo-')), 'package.zip');
  const zip = new yazl.ZipFile();
  for (const name of (await fs.promises.readdir(dir)).sort()) zip.addFile(path.join(dir, name), name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
  });
  return file;
}

/**
 * In development, a newcomer gets one ready path in Kongsberg: a self-assessment, our own SCORM
 * package (imported through the normal import), a web resource and an evaluation, published and
 * placed as a link in the development LMS's course. Runs once: the link is the marker.
 */
export async function ensureDemoPath(deps: { db: Kysely<Schema>; store: ContentStore; lms: DevLms }): Promise<{ created: boolean; pathId: string }> {
  const existing = await deps.lms.findLink(DEMO_LINK_ID);
  if (existing?.custom['laeringslop_path']) return { created: false, pathId: existing.custom['laeringslop_path'] };
  const kongsberg = await findMunicipality(deps.db, '3303');
  if (!kongsberg) throw new Error('the development LMS must be registered (Kongsberg) before the demo path');
  const tenantId = kongsberg.id;

  const zipFile = await zipFolder(DEMO_PACKAGE_DIR);
  let packageId: string;
  try {
    packageId = (await importPackage({ db: deps.db, store: deps.store, limits: DEFAULT_ZIP_LIMITS }, tenantId, zipFile, { originalName: 'brannvern.zip' })).id;
  } finally {
    await fs.promises.rm(path.dirname(zipFile), { recursive: true, force: true });
  }

  const author = await createPerson(deps.db, tenantId, { name: 'Læringsløp (demo)' });
  const created = await createPath(deps.db, tenantId, {
    title: 'Brannvern og førstehjelp på arbeidsplassen',
    description: 'Et kort læringsløp for alle ansatte: vurder deg selv, ta e-læringskurset om brannvern, les om førstehjelp og si hva du synes.',
    language: 'nb',
    sharing: 'region',
    createdBy: author.id,
  });
  const pathId = created.id;
  const selfAssessment = await addStep(deps.db, tenantId, pathId, {
    type: 'self-assessment',
    title: 'Hva kan du fra før?',
    required: true,
    estimatedMinutes: 3,
    config: {
      statements: SELF_ASSESSMENT,
      recommendations: [],
    },
  });
  const course = await addStep(deps.db, tenantId, pathId, {
    type: 'scorm',
    title: 'E-læring: Brannvern på arbeidsplassen',
    required: true,
    requires: [selfAssessment],
    estimatedMinutes: 10,
    config: { packageId, completion: { rule: 'passed' } },
  });
  const reading = await addStep(deps.db, tenantId, pathId, {
    type: 'web',
    title: 'Les: Førstehjelp – slik redder du liv',
    required: false,
    estimatedMinutes: 5,
    config: { resource: { kind: 'link', url: 'https://www.redcross.no/forstehjelp/' }, done: { by: 'mark-as-done' } },
  });
  // The web step is recommended to anyone who rates their first aid below 3.
  await editStep(deps.db, tenantId, pathId, selfAssessment, {
    config: {
      statements: SELF_ASSESSMENT,
      recommendations: [{ competence: 'Førstehjelp', belowLevel: 3, stepIds: [reading] }],
    },
  });
  await addStep(deps.db, tenantId, pathId, {
    type: 'evaluation',
    title: 'Hva synes du om læringsløpet?',
    required: true,
    requires: [course],
    estimatedMinutes: 2,
    config: {
      questions: [
        { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var dette for jobben din?', min: 1, max: 5 },
        { id: 'forslag', kind: 'text', text: 'Hva kan bli bedre?', maxLength: 2000 },
      ],
    },
  });
  await updateDraftSettings(deps.db, tenantId, pathId, { dueAfterDays: 30, grants: [{ competence: 'Brannvern', validMonths: 24 }] });
  await publish(deps.db, tenantId, pathId, author.id);
  await deps.lms.addLink({ id: DEMO_LINK_ID, title: 'Brannvern og førstehjelp (demo)', custom: { laeringslop_path: pathId } });
  return { created: true, pathId };
}
