import { XapiError } from '../errors.js';
import { storeStatements } from '../statement-store.js';
import { XapiInvalid } from '../validation/invalid.js';
import { validateStatement } from '../validation/statement.js';
import { asStatementList, matchAttachments, readStatementBody } from './attachments.js';
import { checkLaunchStatement } from './launch-scope.js';
import type { AuthorisedRequest } from './context.js';
import { checkParams, contentTypeOf, jsonResponse, requiredParam, uuidParam, type XapiRequest, type XapiResponse } from './request.js';

type Json = Record<string, unknown>;

async function store(auth: AuthorisedRequest, request: XapiRequest, expectId?: string): Promise<string[]> {
  const { json, attachments } = readStatementBody(contentTypeOf(request), request.body);
  const { list, batch } = asStatementList(json);
  if (expectId !== undefined && batch) throw new XapiError('bad-request', 'PUT stores one statement, not an array.');
  // §2.1.2: one invalid statement rejects the whole batch; the error names which one and where.
  list.forEach((statement, index) => validateStatement(statement, batch ? `statements[${index}]` : 'statement', auth.version));
  if (expectId !== undefined) {
    const given = (list[0] as Json)['id'];
    if (given !== undefined && String(given).toLowerCase() !== expectId) {
      throw new XapiInvalid('statement.id', 'differs from the statementId parameter');
    }
  }
  const launch = auth.reader.launch;
  if (launch) list.forEach((statement, index) => checkLaunchStatement(statement, launch, batch ? `statements[${index}]` : 'the statement'));
  matchAttachments(list, attachments, auth.version);
  const statements = expectId === undefined ? list : [{ ...(list[0] as Json), id: expectId }];
  const hooks = auth.context.launchHooks;
  const cmi5SessionId = launch?.cmi5SessionId;
  const checkCmi5 = hooks.checkCmi5Statements;
  const write = async (): Promise<string[]> => {
    // cmi5 §6.3: statements that break the cmi5 rules are refused rather than stored and voided.
    if (cmi5SessionId !== undefined && checkCmi5) await checkCmi5(auth.reader.client.tenantId, cmi5SessionId, statements);
    const token = auth.context.tracker.begin();
    let ids: string[];
    try {
      ids = await storeStatements(auth.context.db, auth.context.statementGroups, auth.reader, statements, attachments, auth.version);
      auth.context.statistics.noteWritten(ids.length);
    } finally {
      auth.context.tracker.end(token);
    }
    // The statements are stored; what they mean for a path step is worked out before the content
    // hears back (the listener keeps its own failures: a lost delivery is made again from the store).
    const stored = hooks.statementsStored;
    if (launch && stored) {
      await stored({
        tenantId: auth.reader.client.tenantId,
        registration: launch.registration,
        actorKey: launch.actorKey,
        courseActivityId: launch.courseActivityId,
        verbIds: statements.map((s) => String(((s as Json)['verb'] as Json | undefined)?.['id'] ?? '')),
        ...(cmi5SessionId !== undefined ? { cmi5SessionId } : {}),
        statements: statements.map((s, index) => ({ ...(s as Json), id: ids[index] })),
      });
    }
    return ids;
  };
  if (cmi5SessionId === undefined) return write();
  if (!checkCmi5 || !hooks.cmi5Serialised) throw new XapiError('forbidden', 'cmi5 sessions are not served here.');
  // One request of a session at a time: check, store and what follows from it, before the next is checked.
  return hooks.cmi5Serialised(auth.reader.client.tenantId, cmi5SessionId, write);
}

/** POST /xapi/statements: 200 with the ids in order (Part Three §2.1.2). */
export async function postStatements(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  checkParams(request, []);
  return jsonResponse(200, await store(auth, request));
}

/** PUT /xapi/statements?statementId=…: 204, or 409 when a different statement holds the id (§2.1.1). */
export async function putStatement(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  checkParams(request, ['statementId']);
  requiredParam(request, 'statementId');
  await store(auth, request, uuidParam(request, 'statementId'));
  return { status: 204 };
}
