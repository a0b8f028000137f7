import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database.js';
import { DevLms } from '../../src/dev-lms/dev-lms.js';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { createLogger } from '../../src/logger.js';
import { addStep, publish, updateDraftSettings, type NewStep } from '../../src/paths/drafts.js';
import { createPath } from '../../src/paths/paths.js';
import type { PathSharing } from '../../src/paths/tables.js';
import { createPerson } from '../../src/people/people.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../support/app.js';
import { attribute, freePort, hiddenFields, SECRET } from '../lti/support/lti-http.js';

export interface LearnerWorld {
  server: RunningServer;
  url: string;
  lms: DevLms;
  dataDir: string;
  stop(): Promise<void>;
}

/** The tool on a known port with its own content directory and the development LMS mounted in it. */
export async function startLearnerWorld(database: Database): Promise<LearnerWorld> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'learner-data-'));
  const server = await startServer({
    config: testConfig({ PORT: String(port), PUBLIC_URL: url, KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir }),
    logger: createLogger(process.env['LEARNER_LOG'] ? 'debug' : 'silent'),
    database,
  });
  const lms = new DevLms({ db: database.db, baseUrl: `${url}/dev/lms`, toolUrl: url, secret: SECRET });
  await registerDevLms(database.db, lms);
  return {
    server,
    url,
    lms,
    dataDir,
    async stop() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Launched {
  status: number;
  location: string | undefined;
  body: string;
  sessionToken: string | undefined;
}

/**
 * A browser's launch through real HTTP: the dev LMS course page (optionally of one course link) →
 * the tool's login → the LMS's authorization endpoint → the form_post with the binding cookie.
 */
export async function launch(url: string, role: 'learner' | 'designer' | 'manager' | 'admin', linkId?: string, secondLearner = false): Promise<Launched> {
  const lmsBase = `${url}/dev/lms`;
  const coursePage = await (await fetch(`${lmsBase}/launch?role=${role}${linkId ? `&link=${encodeURIComponent(linkId)}` : ''}${secondLearner ? '&user=2' : ''}`)).text();
  const loginUrl = attribute(coursePage, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/);
  const login = await fetch(loginUrl, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const loginPage = await login.text();
  const authUrl = login.status === 302 ? login.headers.get('location')! : attribute(loginPage, /data-next="([^"]+)"/);
  const authPage = await (await fetch(authUrl)).text();
  const action = attribute(authPage, /<form method="post" action="([^"]+)"/);
  const response = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(hiddenFields(authPage)),
    redirect: 'manual',
  });
  const body = await response.text();
  const location = response.headers.get('location') ?? undefined;
  const sessionToken = (location && new URL(location, url).searchParams.get('session')) || /session=([A-Za-z0-9._-]+)/.exec(body)?.[1];
  return { status: response.status, location, body, sessionToken: sessionToken ?? undefined };
}

export interface SessionInfo {
  personId: string;
  tenantId: string;
  resourceLinkId: string;
  platformId: string;
}

export async function sessionInfo(url: string, token: string): Promise<SessionInfo> {
  return (await (await fetch(`${url}/lti/session?session=${token}`)).json()) as SessionInfo;
}

/** A path of `tenantId` with the given steps, published; the step ids in order. */
export async function publishPath(
  database: Database,
  tenantId: string,
  steps: NewStep[],
  options: { title?: string; sharing?: PathSharing; settings?: Parameters<typeof updateDraftSettings>[3]; resolve?: (ids: string[], index: number) => Partial<NewStep> } = {},
): Promise<{ pathId: string; stepIds: string[] }> {
  const db = database.db;
  const designer = (await createPerson(db, tenantId, { name: 'Designer' })).id;
  const path = await createPath(db, tenantId, { title: options.title ?? 'Informasjonssikkerhet i kommunen', description: 'Grunnleggende om informasjonssikkerhet.\nFor alle ansatte.', language: 'nb', sharing: options.sharing ?? 'tenant', createdBy: designer });
  const stepIds: string[] = [];
  for (const [index, step] of steps.entries()) {
    stepIds.push(await addStep(db, tenantId, path.id, { ...step, ...(options.resolve?.(stepIds, index) ?? {}) } as NewStep));
  }
  if (options.settings) await updateDraftSettings(db, tenantId, path.id, options.settings);
  await publish(db, tenantId, path.id, designer);
  return { pathId: path.id, stepIds };
}

/** Reads the hidden fields of the form posting `action` on a step page. */
export function formFields(page: string, action: string): Record<string, string> {
  const form = new RegExp(`<form method="post" action="[^"]*"[^>]*data-action="${action}">([\\s\\S]*?)</form>`).exec(page);
  if (!form) throw new Error(`no ${action} form in page:\n${page.slice(0, 3000)}`);
  return hiddenFields(form[1]!);
}

export async function postForm(url: string, action: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${url}${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}
