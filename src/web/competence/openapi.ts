/**
 * The OpenAPI 3.1 document served at /api/openapi.json: the HTTP APIs for other systems (the
 * competence and completions pulls) that are not described by a standard of their own. The LRS
 * under /xapi/ is the xAPI specification's (docs/xapi.md) and is not repeated here.
 */

const problem = { $ref: '#/components/responses/Problem' };

const text = (description: string, nullable = false) => (nullable ? { type: ['string', 'null'], description } : { type: 'string', description });
const day = (description: string, nullable = false) => ({ type: nullable ? ['string', 'null'] : 'string', format: 'date', description });
const instant = (description: string, nullable = false) => ({ type: nullable ? ['string', 'null'] : 'string', format: 'date-time', description });

const CSV_NOTE =
  'CSV: UTF-8 without byte-order mark, `;` between cells, CRLF line ends, a header line on every page; a cell that would start with =, +, -, @, tab or carriage return starts with an apostrophe, so a spreadsheet never runs it as a formula.';

export function openApiDocument(publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Læringsløp API',
      version: '1',
      summary: 'Competence holdings, gaps and completed paths for HR systems.',
      description:
        'A municipality’s HR system pulls what its employees hold, where they stand against the competence their work requires, and who completed which learning path. ' +
        'Authenticate with an API client of the municipality (HTTP Basic: key and secret, made at /admin/xapi-clients or with ' +
        '`npm run cli -- xapi-client add`) that has the scope `competence/read` (holdings and gaps) or `completions/read` (completions); no xAPI scope gives them. ' +
        'A client sees its own municipality only. ' +
        'Every pull (each page) is recorded in the municipality’s audit log. The xAPI Learning Record Store at /xapi/ follows the xAPI specification and is not described here.',
    },
    servers: [{ url: publicUrl.replace(/\/+$/, '') }],
    security: [{ apiClient: [] }],
    paths: {
      '/api/competence/holdings': {
        get: {
          operationId: 'pullHoldings',
          summary: 'Holding records of the municipality, changed since a moment',
          description:
            'Every holding record (a person holds a competence, from a source, achieved on a day, valid until a day) of the municipality’s people, ' +
            'revoked ones included, ordered by when they last changed (recorded or revoked) and id. Records are never changed otherwise: a renewal is a new record ' +
            'that names the one it renews (`renewsId`). Without `since` every record; with it, those recorded or revoked at or after it. ' +
            'Keep `nextSince` of the first page and pass it as `since` next time; it lies five minutes behind the moment of the pull, so some records come again: ' +
            'store them by `id`. ' + CSV_NOTE,
          parameters: [{ $ref: '#/components/parameters/since' }, { $ref: '#/components/parameters/holdingsLimit' }, { $ref: '#/components/parameters/cursor' }, { $ref: '#/components/parameters/format' }],
          responses: {
            200: {
              description: 'One page of holding records.',
              headers: { Link: { $ref: '#/components/headers/Link' }, 'X-Next-Since': { $ref: '#/components/headers/XNextSince' } },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/HoldingsPage' } },
                'text/csv': { schema: { type: 'string', description: `Columns: holding_id; person_id; employee_number; name; email; competence_code; competence_name; level; source; achieved_on; expires_on; revoked_at; revocation_reason; recorded_at; renews_id; changed_at; evidence (JSON).` } },
              },
            },
            400: problem,
            401: problem,
            403: problem,
            429: problem,
          },
        },
      },
      '/api/competence/gaps': {
        get: {
          operationId: 'pullGaps',
          summary: 'Where each employee stands against their requirements on a day',
          description:
            'For each employee of the municipality, each requirement that applies to them on the day `on` (by their employments in force: job role, unit and the units above it) ' +
            'with its status: met; expiring (met, but the holding stops counting within `expiringDays`); expired; missing; grace (missing, within a newcomer’s grace period); ' +
            'declared-only (a self-assessment the requirement does not count). Requirements are those in force now. ' +
            'Each person in an answer comes with all their rows: replace what you hold for that person. Without `since`: every employee with an employment in force on `on`. ' +
            'With `since`: only employees whose rows may have changed since then (holdings recorded or revoked, holdings achieved or expiring or entering the expiring window, ' +
            'employments added, changed, starting or ending, grace periods ending, their person or employee record changed; everyone when a requirement or an org unit changed), ' +
            'including those to whom no requirement applies any more (an empty list; in CSV one line with status `none`). People are paged by person id. ' + CSV_NOTE,
          parameters: [
            { $ref: '#/components/parameters/on' },
            { $ref: '#/components/parameters/since' },
            { $ref: '#/components/parameters/expiringDays' },
            { $ref: '#/components/parameters/gapsLimit' },
            { $ref: '#/components/parameters/cursor' },
            { $ref: '#/components/parameters/format' },
          ],
          responses: {
            200: {
              description: 'One page of people with their requirement statuses.',
              headers: { Link: { $ref: '#/components/headers/Link' }, 'X-Next-Since': { $ref: '#/components/headers/XNextSince' } },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/GapsPage' } },
                'text/csv': { schema: { type: 'string', description: 'One line per person and requirement. Columns: person_id; employee_number; name; email; requirement_id; competence_code; competence_name; job_title; unit_code; mandatory; min_level; status; valid_until; grace_ends; holding_id.' } },
              },
            },
            400: problem,
            401: problem,
            403: problem,
            429: problem,
          },
        },
      },
      '/api/completions': {
        get: {
          operationId: 'pullCompletions',
          summary: 'Completed learning paths, or holding records, of the municipality’s people (scope completions/read)',
          description:
            'One row per completed path of the municipality’s people: who (with the employee number when the person is in the municipality’s HR data), ' +
            'which path and version, when, the score, the competences the version grants and when they expire. Completion records never change. ' +
            'Rows come in the order their records became final (not by completion time): a record written by a transaction that commits late still comes after ' +
            'every position you already have, so a cursor never skips or repeats a row. A record appears once every database transaction older than its own has ended (normally within a second). ' +
            '`since` and `until` narrow the rows to those completed in [since, until). ' +
            'JSON answers a page of `limit` rows; `next` (and the Link header) is the next page while there are more rows now, null on the last. ' +
            'Every page carries `cursor` (and the X-Cursor header): keep the last one and pass it next time, with the same since and until, to get exactly the completions recorded since. ' +
            'CSV answers every row after the cursor in one streamed file (no `limit`), its X-Cursor header is where the next pull goes on. ' +
            'CSV: UTF-8 with byte-order mark, `;` between cells, CRLF line ends, a header line; score with a decimal comma; a cell that would start with =, +, -, @, tab or carriage return starts with an apostrophe, so a spreadsheet never runs it as a formula. ' +
            'With `kind=holdings`: one row per holding record of the municipality’s people (a competence documented by a path completion, declared in a self-assessment, registered by a manager or imported), ' +
            'in the order the records became final, and the same record again as a row of its own (`event: revoked`) when it is revoked, so a revocation reaches a client whose cursor is past the record. ' +
            'Rows show the record as it stands at the pull. `since` and `until` then narrow the rows to holdings achieved in [since, until) (a holding achieved on a day counts from the start of that day in Europe/Oslo). ' +
            'A cursor is of one kind: pass it with the kind it came from.',
          parameters: [
            { $ref: '#/components/parameters/completionsKind' },
            { $ref: '#/components/parameters/since' },
            { $ref: '#/components/parameters/until' },
            { $ref: '#/components/parameters/completionsLimit' },
            { $ref: '#/components/parameters/completionsCursor' },
            { $ref: '#/components/parameters/format' },
          ],
          responses: {
            200: {
              description: 'One page of completions or holding rows (JSON), or every row after the cursor (CSV).',
              headers: { Link: { $ref: '#/components/headers/Link' }, 'X-Cursor': { $ref: '#/components/headers/XCursor' } },
              content: {
                'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/CompletionsPage' }, { $ref: '#/components/schemas/CompletionHoldingsPage' }] } },
                'text/csv': {
                  schema: {
                    type: 'string',
                    description:
                      'kind=paths, columns: completion_id; person_id; employee_number; name; email; path_id; path_title; version; completed_at; score; competences (codes, comma-separated); expires_on (the earliest expiry). ' +
                      'kind=holdings, columns: holding_id; event; changed_at; person_id; employee_number; name; email; competence_code; competence_name; level; source; completion_id; path_id; path_title; version; achieved_on; expires_on; recorded_at; renews_id; revoked (true or false); revoked_at.',
                  },
                },
              },
            },
            400: problem,
            401: problem,
            403: problem,
            429: problem,
          },
        },
      },
      '/api/verify/{code}': {
        get: {
          operationId: 'verifyCode',
          summary: 'Verify a certificate by the code printed on it (public, no credentials)',
          description:
            'Answers what the certificate with this verification code attests and whether it stands: valid, revoked, expired, not issued here or malformed. ' +
            'It shows the name printed on the certificate and nothing else about the person (docs/certificates.md). ' +
            'Groups and case do not matter (`ABCD-EFGH-…` or `abcdefgh…`). Failed lookups are braked per address: after 20, one every 3 s, then 429 with Retry-After.',
          security: [],
          parameters: [{ name: 'code', in: 'path', required: true, description: 'The verification code (20 Crockford base32 characters, grouped by 4 with hyphens or not).', schema: { type: 'string', maxLength: 16384 } }],
          responses: {
            200: { description: 'The verification, whatever its outcome (a malformed or unknown code is an answer too).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Verification' } } } },
            429: problem,
          },
        },
      },
      '/api/verify': {
        post: {
          operationId: 'verify',
          summary: 'Verify a certificate by its code or an Open Badges 3.0 credential (VC-JWT) (public, no credentials)',
          description:
            'Send either the printed code or the credential JWT the learner downloaded. A credential is checked against the issuing key published in /lti/jwks ' +
            '(signature, algorithm, claims against the stored certificate, validity) and answers `tampered` with a reason when it does not hold.',
          security: [],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', oneOf: [{ required: ['code'] }, { required: ['credential'] }], properties: { code: { type: 'string' }, credential: { type: 'string', description: 'The compact JWS of the credential.' } } } } },
          },
          responses: {
            200: { description: 'The verification, whatever its outcome.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Verification' } } } },
            400: problem,
            429: problem,
          },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          summary: 'This document',
          security: [],
          responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiClient: {
          type: 'http',
          scheme: 'basic',
          description: 'The key and secret of one of the municipality’s API clients with the scope `competence/read` or `completions/read` (see each operation). Repeated wrong secrets from one address are slowed down (429 with Retry-After).',
        },
      },
      headers: {
        Link: { description: 'RFC 8288: `<url>; rel="next"` when there is a next page (the same URL as `next`).', schema: { type: 'string' } },
        XCursor: { description: 'Where the next pull goes on (the same as `cursor`): pass it as `cursor` with the same since and until.', schema: { type: 'string' } },
        XNextSince: { description: 'The `since` for the next incremental pull (the same as `nextSince`).', schema: { type: 'string', format: 'date-time' } },
      },
      parameters: {
        since: {
          name: 'since', in: 'query', required: false,
          description: 'RFC 3339 timestamp with offset (e.g. `2027-03-01T08:00:00Z`): only what changed at or after it. Use `nextSince` of the last pull.',
          schema: { type: 'string', format: 'date-time' },
        },
        until: {
          name: 'until', in: 'query', required: false,
          description: 'RFC 3339 timestamp with offset: only what was completed before it (with since: after since).',
          schema: { type: 'string', format: 'date-time' },
        },
        completionsKind: {
          name: 'kind', in: 'query', required: false,
          description: 'What a row is: `paths` (default) one row per completed path; `holdings` one row per holding record, and a row again when it is revoked.',
          schema: { type: 'string', enum: ['paths', 'holdings'], default: 'paths' },
        },
        completionsLimit: { name: 'limit', in: 'query', required: false, description: 'Rows per JSON page (not with CSV, which answers every row).', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
        completionsCursor: {
          name: 'cursor', in: 'query', required: false,
          description: 'Where to go on: the `cursor` of your last pull (or of its last page), or the one in a `next` link, with the same since and until. Without it: from the first completion.',
          schema: { type: 'string' },
        },
        on: { name: 'on', in: 'query', required: false, description: 'The day (Europe/Oslo calendar) the statuses are for; default today.', schema: { type: 'string', format: 'date' } },
        expiringDays: { name: 'expiringDays', in: 'query', required: false, description: 'A met requirement whose holding stops counting within this many days is `expiring`.', schema: { type: 'integer', minimum: 0, maximum: 365, default: 90 } },
        holdingsLimit: { name: 'limit', in: 'query', required: false, description: 'Records per page.', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
        gapsLimit: { name: 'limit', in: 'query', required: false, description: 'People per page.', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        cursor: { name: 'cursor', in: 'query', required: false, description: 'Where the previous page ended: take it from its `next` link, with the same other parameters.', schema: { type: 'string' } },
        format: { name: 'format', in: 'query', required: false, description: 'json or csv; without it the Accept header decides (text/csv gives CSV), else JSON.', schema: { type: 'string', enum: ['json', 'csv'] } },
      },
      responses: {
        Problem: {
          description: 'RFC 9457 problem details: 400 names the bad query parameter in `parameter`; 401 wrong or missing credentials; 403 a client without the operation’s scope or of a region; 429 too many failed authentications.',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      schemas: {
        Verification: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', enum: ['valid', 'revoked', 'expired', 'not-issued-here', 'tampered', 'malformed'] },
            reason: {
              type: 'string', description: 'Why, where the status alone does not say.',
              enum: ['competence-expired', 'credential-expired', 'signing-key-expired', 'signature-invalid', 'signature-missing', 'algorithm-refused', 'claims-disagree', 'unknown-key', 'unknown-code', 'unknown-credential', 'too-long', 'not-a-code-or-credential'],
            },
            certificate: {
              type: 'object',
              description: 'What the certificate attests (valid, revoked and expired certificates of this tool).',
              required: ['code', 'name', 'holderErased', 'kind', 'path', 'competences', 'achievedOn', 'issuedAt', 'expiresOn', 'revokedAt', 'issuer'],
              properties: {
                code: { type: 'string' },
                name: { type: ['string', 'null'], description: 'The name printed on the certificate; null when the person it was issued to has been erased (docs/privacy.md).' },
                holderErased: { type: 'boolean', description: 'True when the person it was issued to has been erased: the certificate still attests what it did, to no one named.' },
                kind: { type: 'string', enum: ['path-completion', 'holding'] },
                path: { type: ['object', 'null'], properties: { title: { type: 'string' }, versionNumber: { type: 'integer' }, steps: { type: 'array', items: { type: 'string' } } } },
                competences: {
                  type: 'array',
                  items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'object', additionalProperties: { type: ['string', 'null'] } }, level: { type: ['integer', 'null'] }, expiresOn: { type: ['string', 'null'], format: 'date' } } },
                },
                achievedOn: { type: 'string', format: 'date' },
                issuedAt: { type: 'string', format: 'date-time' },
                expiresOn: { type: ['string', 'null'], format: 'date' },
                revokedAt: { type: ['string', 'null'], format: 'date-time' },
                issuer: { type: 'object', properties: { name: { type: 'string' }, region: { type: ['string', 'null'] } } },
              },
            },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', description: 'A relative URI under /problems/, e.g. /problems/validation-failed.' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            parameter: { type: 'string', description: 'The query parameter that was refused (400).' },
            reference: { type: 'string', description: 'The request’s id in the service’s log.' },
          },
        },
        Municipality: {
          type: 'object', required: ['kommunenummer', 'name'],
          properties: { kommunenummer: { type: 'string', pattern: '^\\d{4}$' }, name: { type: 'string' } },
        },
        Person: {
          type: 'object', required: ['id', 'employeeNumber', 'name', 'email'],
          properties: {
            id: { type: 'string', format: 'uuid', description: 'The person’s id in Læringsløp.' },
            employeeNumber: text('The municipality’s employee number (ansattnummer) from its HR data; null for someone not in it.', true),
            name: text('Full name, as known.', true),
            email: text('E-mail address, as known.', true),
          },
        },
        Competence: {
          type: 'object', required: ['code', 'name'],
          properties: { code: { type: 'string', description: 'The catalogue’s code, e.g. brannvern.' }, name: { type: 'string', description: 'Name in bokmål.' } },
        },
        Holding: {
          type: 'object',
          required: ['id', 'person', 'competence', 'level', 'source', 'achievedOn', 'expiresOn', 'recordedAt', 'renewsId', 'revoked', 'evidence', 'changedAt'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            person: { $ref: '#/components/schemas/Person' },
            competence: { $ref: '#/components/schemas/Competence' },
            level: { type: ['integer', 'null'], minimum: 1, maximum: 9 },
            source: { type: 'string', enum: ['path-completion', 'declared', 'registered', 'imported'], description: 'declared: a self-assessment, not documentation.' },
            achievedOn: day('First day valid (Europe/Oslo).'),
            expiresOn: day('First day no longer valid; null: does not expire.', true),
            recordedAt: instant('When the record was written.'),
            renewsId: { type: ['string', 'null'], format: 'uuid', description: 'The record this one renews.' },
            revoked: {
              type: ['object', 'null'], required: ['at', 'reason'],
              properties: { at: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
            },
            evidence: { type: 'object', description: 'For a path completion: pathId, versionNumber, score.' },
            changedAt: instant('When the record last changed (recorded or revoked): the order of the pages.'),
          },
        },
        HoldingsPage: {
          type: 'object', required: ['municipality', 'since', 'nextSince', 'next', 'data'],
          properties: {
            municipality: { $ref: '#/components/schemas/Municipality' },
            since: instant('The since this answer is for.', true),
            nextSince: instant('Pass as since on the next pull.'),
            next: { type: ['string', 'null'], format: 'uri', description: 'The next page, or null on the last.' },
            data: { type: 'array', items: { $ref: '#/components/schemas/Holding' } },
          },
        },
        GrantedCompetence: {
          type: 'object', required: ['code', 'name', 'expiresOn'],
          properties: {
            code: { type: 'string', description: 'The competence’s code in the municipality’s catalogue (the grant’s own reference when the catalogue lacks it).' },
            name: text('Name in bokmål; null when the catalogue lacks the competence (then no holding documents it).', true),
            expiresOn: day('First day no longer valid (Europe/Oslo), counted from the completion day by the grant’s validity, else the competence’s default: the expiry of the holding the completion documents (see /api/competence/holdings for revocations and renewals); null: does not expire.', true),
          },
        },
        Completion: {
          type: 'object', required: ['id', 'person', 'path', 'version', 'completedAt', 'score', 'competences', 'expiresOn'],
          properties: {
            id: { type: 'string', format: 'uuid', description: 'The completion record’s id: store rows by it.' },
            person: { $ref: '#/components/schemas/Person' },
            path: { type: 'object', required: ['id', 'title'], properties: { id: { type: 'string', format: 'uuid' }, title: { type: 'string' } } },
            version: { type: ['integer', 'null'], description: 'The path version’s number.' },
            completedAt: instant('When the path was completed (UTC, microseconds).'),
            score: { type: ['number', 'null'], minimum: 0, maximum: 100, description: 'By the version’s score rule; null when it gives none.' },
            competences: { type: 'array', items: { $ref: '#/components/schemas/GrantedCompetence' }, description: 'What the completed version grants.' },
            expiresOn: day('The earliest expiry among the competences; null when none expires.', true),
          },
        },
        CompletionsPage: {
          type: 'object', required: ['municipality', 'since', 'until', 'cursor', 'next', 'data'],
          properties: {
            municipality: { $ref: '#/components/schemas/Municipality' },
            since: instant('The since this answer is for.', true),
            until: instant('The until this answer is for.', true),
            cursor: { type: 'string', description: 'Pass as cursor on the next pull (with the same since and until).' },
            next: { type: ['string', 'null'], format: 'uri', description: 'The next page while there are more rows now, or null.' },
            data: { type: 'array', items: { $ref: '#/components/schemas/Completion' } },
          },
        },
        CompletionHolding: {
          type: 'object',
          required: ['id', 'event', 'changedAt', 'person', 'competence', 'level', 'source', 'achievedOn', 'expiresOn', 'recordedAt', 'renewsId', 'revoked', 'revokedAt'],
          properties: {
            id: { type: 'string', format: 'uuid', description: 'The holding record’s id: store rows by it, a later row replacing an earlier one.' },
            event: { type: 'string', enum: ['granted', 'revoked'], description: 'Why the row is here: the record was written (granted), or it was revoked.' },
            changedAt: instant('When that happened (UTC, microseconds).'),
            person: { $ref: '#/components/schemas/Person' },
            competence: { $ref: '#/components/schemas/Competence' },
            level: { type: ['integer', 'null'], minimum: 1, maximum: 9 },
            source: {
              type: 'object', required: ['kind', 'completion'],
              properties: {
                kind: { type: 'string', enum: ['path-completion', 'declared', 'registered', 'imported'], description: 'declared: a self-assessment, not documentation; registered: by a manager or administrator; imported: from a file.' },
                completion: {
                  type: ['object', 'null'], required: ['id', 'path', 'version'], description: 'The path completion the holding documents (kind path-completion), else null.',
                  properties: {
                    id: { type: 'string', format: 'uuid', description: 'The completion record (a row of kind=paths).' },
                    path: { type: ['object', 'null'], required: ['id', 'title'], properties: { id: { type: 'string', format: 'uuid' }, title: { type: 'string' } } },
                    version: { type: ['integer', 'null'], description: 'The path version’s number.' },
                  },
                },
              },
            },
            achievedOn: day('First day valid (Europe/Oslo).'),
            expiresOn: day('First day no longer valid; null: does not expire.', true),
            recordedAt: instant('When the record was written.'),
            renewsId: { type: ['string', 'null'], format: 'uuid', description: 'The record this one renews.' },
            revoked: { type: 'boolean', description: 'Whether the record is revoked at the time of the pull (the reason is not given: it is free text).' },
            revokedAt: instant('When it was revoked; null: not revoked.', true),
          },
        },
        CompletionHoldingsPage: {
          type: 'object', required: ['municipality', 'kind', 'since', 'until', 'cursor', 'next', 'data'],
          properties: {
            municipality: { $ref: '#/components/schemas/Municipality' },
            kind: { type: 'string', enum: ['holdings'] },
            since: instant('The since this answer is for.', true),
            until: instant('The until this answer is for.', true),
            cursor: { type: 'string', description: 'Pass as cursor on the next pull (with kind=holdings and the same since and until).' },
            next: { type: ['string', 'null'], format: 'uri', description: 'The next page while there are more rows now, or null.' },
            data: { type: 'array', items: { $ref: '#/components/schemas/CompletionHolding' } },
          },
        },
        GapRequirement: {
          type: 'object', required: ['requirement', 'status', 'validUntil', 'graceEnds', 'holdingId'],
          properties: {
            requirement: {
              type: 'object', required: ['id', 'competence', 'jobTitle', 'unit', 'mandatory', 'minLevel'],
              properties: {
                id: { type: 'string', format: 'uuid' },
                competence: { $ref: '#/components/schemas/Competence' },
                jobTitle: text('The job role it is required for; null: any role in the unit.', true),
                unit: { type: ['object', 'null'], required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } }, description: 'The unit (with the units below it) it is required in; null: the whole municipality.' },
                mandatory: { type: 'boolean' },
                minLevel: { type: ['integer', 'null'] },
              },
            },
            status: { type: 'string', enum: ['met', 'expiring', 'expired', 'missing', 'grace', 'declared-only'] },
            validUntil: day('First day the deciding holding no longer counts for this requirement.', true),
            graceEnds: day('Last day of a newcomer’s grace period.', true),
            holdingId: { type: ['string', 'null'], format: 'uuid', description: 'The holding that decides the status.' },
          },
        },
        GapPerson: {
          type: 'object', required: ['person', 'requirements'],
          properties: { person: { $ref: '#/components/schemas/Person' }, requirements: { type: 'array', items: { $ref: '#/components/schemas/GapRequirement' } } },
        },
        GapsPage: {
          type: 'object', required: ['municipality', 'on', 'since', 'expiringDays', 'nextSince', 'next', 'data'],
          properties: {
            municipality: { $ref: '#/components/schemas/Municipality' },
            on: day('The day the statuses are for.'),
            since: instant('The since this answer is for.', true),
            expiringDays: { type: 'integer' },
            nextSince: instant('Pass as since on the next pull.'),
            next: { type: ['string', 'null'], format: 'uri' },
            data: { type: 'array', items: { $ref: '#/components/schemas/GapPerson' } },
          },
        },
      },
    },
  };
}
