import { sql } from 'kysely';
import type { AuthorisedRequest } from './context.js';
import { XapiInvalid } from '../validation/invalid.js';
import { isIri, isUuid } from '../validation/primitives.js';
import { SUPPORTED_VERSIONS } from '../version.js';
import { agentParam, checkParams, jsonResponse, requiredParam, type XapiRequest, type XapiResponse } from './request.js';

/** GET /xapi/about (Part Three §2.8): no credentials and no version header needed. */
export function about(request: XapiRequest): XapiResponse {
  checkParams(request, []);
  return jsonResponse(200, { version: [...SUPPORTED_VERSIONS], extensions: {} });
}

/** GET /xapi/activities (§2.5): the Activity with the definition this tenant's statements gave it. */
export async function getActivity(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  checkParams(request, ['activityId']);
  const activityId = requiredParam(request, 'activityId');
  if (!isIri(activityId)) throw new XapiInvalid('activityId', 'must be an absolute IRI');
  const row = await auth.context.db
    .selectFrom('xapi_activities')
    .select('definition')
    .where('tenant_id', '=', auth.reader.client.tenantId)
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return jsonResponse(200, { objectType: 'Activity', id: activityId, ...(row ? { definition: row.definition } : {}) });
}

/**
 * GET /xapi/agents (§2.6): the Person object. For one of the tenant's own people it combines their
 * account at PUBLIC_URL, their email and name; anyone else is described only by what was asked.
 */
export async function getPerson(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  checkParams(request, ['agent']);
  requiredParam(request, 'agent');
  const asked = agentParam(request, 'agent');
  if (!asked) throw new XapiInvalid('agent', 'parameter is required');
  const { agent } = asked;
  const person: Record<string, unknown[]> = { name: [], mbox: [], mbox_sha1sum: [], openid: [], account: [] };
  const push = (key: string, value: unknown) => {
    const list = person[key] as unknown[];
    if (value !== undefined && value !== null && !list.some((v) => JSON.stringify(v) === JSON.stringify(value))) list.push(value);
  };
  for (const key of ['name', 'mbox', 'mbox_sha1sum', 'openid', 'account']) push(key, agent[key]);

  const account = agent['account'] as { homePage?: string; name?: string } | undefined;
  const mbox = typeof agent['mbox'] === 'string' ? agent['mbox'].replace(/^mailto:/i, '').toLowerCase() : undefined;
  const personId = account?.homePage === auth.context.publicUrl && isUuid(account.name) ? account.name : undefined;
  if (personId !== undefined || mbox !== undefined) {
    let query = auth.context.db
      .selectFrom('people')
      .select(['id', 'name', 'email'])
      .where('tenant_id', '=', auth.reader.client.tenantId);
    query = personId !== undefined ? query.where('id', '=', personId) : query.where(sql<string>`lower(email)`, '=', mbox as string);
    for (const row of await query.execute()) {
      push('name', row.name ?? undefined);
      if (row.email) push('mbox', `mailto:${row.email}`);
      push('account', { homePage: auth.context.publicUrl, name: row.id });
    }
  }
  const body: Record<string, unknown> = { objectType: 'Person' };
  for (const [key, list] of Object.entries(person)) if (list.length) body[key] = list;
  return jsonResponse(200, body);
}
