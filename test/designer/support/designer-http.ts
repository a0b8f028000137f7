import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Schema } from '../../../src/db/schema.js';
import { DiskContentStore } from '../../../src/content/content-store.js';
import { importPackage } from '../../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../../src/content/zip-reader.js';
import { createPerson } from '../../../src/people/people.js';
import { addStep, publish } from '../../../src/paths/drafts.js';
import { createPath, type PathSummary } from '../../../src/paths/paths.js';
import type { PathSharing } from '../../../src/paths/tables.js';
import { findMunicipality } from '../../../src/tenants/tenants.js';
import { zipFixture, type FixturePackage } from '../../content/support/package-zip.js';
import { decodeEntities } from '../../lti/support/lti-http.js';

/** The tenant the development LMS launches into (Kongsberg). */
export async function devTenant(db: Kysely<Schema>): Promise<string> {
  return (await findMunicipality(db, '3303'))!.id;
}

/** A path with one web step, published, owned by `tenantId` (created by a new person there). */
export async function publishedPath(db: Kysely<Schema>, tenantId: string, title: string, options: { description?: string; sharing?: PathSharing; publish?: boolean } = {}): Promise<PathSummary> {
  const creator = (await createPerson(db, tenantId, { name: 'Forfatter' })).id;
  const created = await createPath(db, tenantId, { title, description: options.description ?? '', language: 'nb', createdBy: creator, sharing: options.sharing ?? 'tenant' });
  await addStep(db, tenantId, created.id, { type: 'web', title: 'Les veilederen', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
  if (options.publish !== false) await publish(db, tenantId, created.id, creator);
  return created;
}

/** A SCORM package of the tenant, imported the way the content capability imports uploads. */
export async function importFixturePackage(db: Kysely<Schema>, tenantId: string, name: FixturePackage = 'scorm12-single') {
  const store = new DiskContentStore(fs.mkdtempSync(path.join(os.tmpdir(), 'designer-content-')));
  return importPackage({ db, store, limits: DEFAULT_ZIP_LIMITS }, tenantId, await zipFixture(name));
}

export interface Answer {
  status: number;
  body: string;
  location: string | null;
}

/** A designer's browser without JavaScript: GETs and form posts, redirects not followed. */
export class DesignerClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  href(pathname: string, query: Record<string, string> = {}): string {
    return `${this.url}${pathname}?${new URLSearchParams({ session: this.token, ...query })}`;
  }

  async get(pathname: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(this.href(pathname, query), { redirect: 'manual', headers: { accept: 'text/html', ...headers } });
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }

  async post(pathname: string, fields: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<Answer> {
    const body = new URLSearchParams({ session: this.token });
    for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    const response = await fetch(`${this.url}${pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
      body,
    });
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }
}

/** The value of an input in a page (as the browser would submit it). */
export function inputValue(body: string, name: string): string | undefined {
  const match = new RegExp(`<input(?: class="[^"]*")? id="${name}" name="${name}" type="[^"]+" value="([^"]*)"`).exec(body);
  return match ? decodeEntities(match[1]!) : undefined;
}

export function pathIdFrom(location: string | null): string {
  const match = /\/design\/paths\/([0-9a-f-]{36})/.exec(location ?? '');
  if (!match) throw new Error(`no path id in ${location}`);
  return match[1]!;
}
