import {
  deleteDocuments, getDocument, listDocumentIds, writeDocument, type DocumentScope, type Preconditions,
} from '../document-store.js';
import { XapiError } from '../errors.js';
import type { XapiDocumentKind } from '../tables.js';
import type { XapiVersion } from '../version.js';
import { XapiInvalid } from '../validation/invalid.js';
import { isIri } from '../validation/primitives.js';
import type { AuthorisedRequest } from './context.js';
import { checkLaunchDocument } from './launch-scope.js';
import {
  agentParam, checkParams, contentTypeOf, header, jsonResponse, methodNotAllowed, requiredParam, timestampParam, uuidParam,
  type XapiRequest, type XapiResponse,
} from './request.js';

/** The documents cmi5 names (cmi5 §10, §11); the LMS writes them, the AU reads them. */
const CMI5_LAUNCH_DATA = 'LMS.LaunchData';
const CMI5_LEARNER_PREFERENCES = 'cmi5LearnerPreferences';

interface DocumentResource {
  kind: XapiDocumentKind;
  idParam: 'stateId' | 'profileId';
  params: readonly string[];
  /**
   * The State resource does not take part in ETag concurrency for PUT in 1.0.3 (Part Three §3.1 names
   * the profile resources); xAPI 2.0 (§4.1.4) adds it: a PUT over an existing State document needs If-Match.
   */
  requirePrecondition: (version: XapiVersion) => boolean | 'when-exists';
  scope(request: XapiRequest, tenantId: string): DocumentScope;
}

function activityIdParam(request: XapiRequest): string {
  const value = requiredParam(request, 'activityId');
  if (!isIri(value)) throw new XapiInvalid('activityId', 'must be an absolute IRI');
  return value;
}

function agentKeyParam(request: XapiRequest): string {
  const agent = agentParam(request, 'agent');
  if (!agent) throw new XapiInvalid('agent', 'parameter is required');
  return agent.key;
}

export const STATE: DocumentResource = {
  kind: 'state',
  idParam: 'stateId',
  params: ['activityId', 'agent', 'registration', 'stateId', 'since'],
  requirePrecondition: (version) => (version === '2.0' ? 'when-exists' : false),
  scope(request, tenantId) {
    const registration = uuidParam(request, 'registration');
    return {
      tenantId,
      kind: 'state',
      activityId: activityIdParam(request),
      agentKey: agentKeyParam(request),
      ...(registration !== undefined ? { registration } : {}),
    };
  },
};

export const ACTIVITY_PROFILE: DocumentResource = {
  kind: 'activity-profile',
  idParam: 'profileId',
  params: ['activityId', 'profileId', 'since'],
  requirePrecondition: () => true,
  scope: (request, tenantId) => ({ tenantId, kind: 'activity-profile', activityId: activityIdParam(request) }),
};

export const AGENT_PROFILE: DocumentResource = {
  kind: 'agent-profile',
  idParam: 'profileId',
  params: ['agent', 'profileId', 'since'],
  requirePrecondition: () => true,
  scope: (request, tenantId) => ({ tenantId, kind: 'agent-profile', agentKey: agentKeyParam(request) }),
};

function preconditionsOf(request: XapiRequest): Preconditions {
  const ifMatch = header(request, 'if-match');
  const ifNoneMatch = header(request, 'if-none-match');
  return { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
}

/** The State, Activity Profile and Agent Profile resources (Part Three §2.3, §2.6, §2.7), per tenant. */
export async function handleDocuments(resource: DocumentResource, auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  const { db } = auth.context;
  const tenantId = auth.reader.client.tenantId;
  const allowed = request.method === 'GET' || request.method === 'HEAD' ? resource.params : resource.params.filter((p) => p !== 'since');
  checkParams(request, allowed);
  const scope = resource.scope(request, tenantId);
  const documentId = request.params.get(resource.idParam);
  const launch = auth.reader.launch;
  if (launch?.cmi5SessionId !== undefined && resource.kind === 'agent-profile') {
    // cmi5 §11: the launched learner's preferences, read only; the LMS keeps them (a 403 the AU ignores).
    if (scope.agentKey !== launch.actorKey || documentId !== CMI5_LEARNER_PREFERENCES) throw new XapiError('forbidden', 'A cmi5 AU reaches only the launched learner\'s cmi5LearnerPreferences.');
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new XapiError('forbidden', 'The learner preferences are kept by the LMS; an AU cannot change them.');
  } else if (launch) {
    checkLaunchDocument(launch, scope);
    // cmi5 §10.2.1: the AU must not modify or delete LMS.LaunchData.
    if (launch.cmi5SessionId !== undefined && request.method !== 'GET' && request.method !== 'HEAD' && (documentId === CMI5_LAUNCH_DATA || documentId === undefined)) {
      throw new XapiError('forbidden', 'LMS.LaunchData is written by the LMS; an AU cannot change or delete it.');
    }
  }

  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      if (documentId === undefined) {
        // Last-Modified on a list too (xAPI 2.0 changelog): when the newest listed document changed.
        const { ids, updated } = await listDocumentIds(db, scope, timestampParam(request, 'since'));
        return jsonResponse(200, ids, updated ? { 'Last-Modified': updated.toUTCString() } : {});
      }
      if (request.params.has('since')) throw new XapiInvalid('since', `cannot be combined with ${resource.idParam}`);
      const document = await getDocument(db, scope, documentId);
      if (!document) throw new XapiError('not-found', 'No such document.');
      if (launch?.cmi5SessionId !== undefined && resource.kind === 'agent-profile') await auth.context.launchHooks.cmi5PreferencesRead?.(tenantId, launch.cmi5SessionId);
      return {
        status: 200,
        headers: { 'Content-Type': document.contentType, ETag: document.etag, 'Last-Modified': document.updated.toUTCString() },
        body: document.content,
      };
    }
    case 'PUT':
    case 'POST': {
      if (documentId === undefined) throw new XapiInvalid(resource.idParam, 'parameter is required');
      const written = await writeDocument(db, scope, {
        documentId,
        contentType: contentTypeOf(request) || 'application/octet-stream',
        content: request.body,
        preconditions: preconditionsOf(request),
        requirePrecondition: request.method === 'PUT' && resource.requirePrecondition(auth.version),
        merge: request.method === 'POST',
      });
      return { status: 204, headers: { ETag: written.etag } };
    }
    case 'DELETE': {
      if (documentId === undefined && resource.kind !== 'state') throw new XapiInvalid(resource.idParam, 'parameter is required');
      await deleteDocuments(db, scope, documentId, preconditionsOf(request));
      return { status: 204 };
    }
    default:
      return methodNotAllowed(request);
  }
}
