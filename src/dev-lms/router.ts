import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { CLAIM, SCOPE } from '../lti/claims.js';
import { button, table } from '../web/ds/components.js';
import { html } from '../web/html.js';
import { page, sendPage } from '../web/layout.js';
import { DEV_COURSE, DEV_ROLES, DEV_SECOND_LEARNER, DEV_USERS, DevLmsError, type DevLms, type DevRole } from './dev-lms.js';
import { addScore, createLineItem, devMembers, findLineItem, listLineItems, listScores } from './gradebook.js';

/**
 * Answers lti.put_data / lti.get_data from the tool's frame (LTI Client Side postMessages): the
 * platform keeps the values, so the tool needs no third-party cookie.
 */
const STORAGE_HOST_JS = `(function () {
  var store = {};
  // Loaded before the tool's frame exists, so the listener is ready for its first message.
  window.addEventListener('message', function (event) {
    var frame = document.getElementById('tool-frame');
    var d = event.data;
    if (!frame || event.origin !== new URL(frame.src).origin || !d || typeof d.subject !== 'string') return;
    if (d.subject === 'lti.put_data') {
      store[d.key] = d.value;
      event.source.postMessage({ subject: 'lti.put_data.response', message_id: d.message_id, key: d.key, value: d.value }, event.origin);
    } else if (d.subject === 'lti.get_data') {
      var reply = { subject: 'lti.get_data.response', message_id: d.message_id, key: d.key };
      if (Object.prototype.hasOwnProperty.call(store, d.key)) reply.value = store[d.key];
      else reply.error = { code: 'bad_request', message: 'no such key' };
      event.source.postMessage(reply, event.origin);
    } else if (d.subject === 'lti.capabilities') {
      event.source.postMessage({ subject: 'lti.capabilities.response', message_id: d.message_id,
        supported_messages: [{ subject: 'lti.put_data' }, { subject: 'lti.get_data' }] }, event.origin);
    }
  });
})();
`;
const AUTOSUBMIT_JS = `(function () { var f = document.querySelector('form[data-autosubmit]'); if (f) f.submit(); })();`;

const ROLE_LABELS: Record<DevRole, string> = { learner: 'deltaker', designer: 'læringsdesigner', manager: 'leder', admin: 'administrator' };
const PAGE_SIZE = 10;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const flat = (req: Request): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries({ ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) }).map(([k, v]) => [k, str(v)]));

/** The development LMS's routes, below `mount` (/dev/lms in the tool). */
export function devLmsRouter(lms: DevLms, mount = '/dev/lms'): Router {
  const router = Router();
  const db = lms.options.db;
  const courseBase = `${mount}/courses/:course`;

  router.get(`${mount}/assets/storage-host.js`, (_req, res) => void res.type('text/javascript').send(STORAGE_HOST_JS));
  router.get(`${mount}/assets/autosubmit.js`, (_req, res) => void res.type('text/javascript').send(AUTOSUBMIT_JS));

  router.get(mount, async (_req, res) => {
    const [scores, lineItems, links] = await Promise.all([listScores(db), listLineItems(db, DEV_COURSE.id), lms.listLinks()]);
    sendPage(
      res,
      200,
      page({
        locale: 'nb',
        title: 'Utviklings-LMS',
        path: mount,
        body: html`<h1>Utviklings-LMS</h1>
<p>En ekte LTI 1.3-plattform for utvikling: emnet «${DEV_COURSE.title}» i Kongsberg kommune. Utsteder: <code>${lms.issuer}</code>.</p>
<h2>Start Læringsløp</h2>
<ul class="ds-list">${DEV_ROLES.map((role) => html`<li><a href="${mount}/launch?role=${role}" data-launch="${role}">Start som ${ROLE_LABELS[role]} (${DEV_USERS[role].name})</a></li>`)}
<li><a href="${mount}/launch?role=designer&amp;message=deeplink" data-launch="deeplink">Legg til læringsløp i emnet (dyplenking, som læringsdesigner)</a></li>
<li><a href="${mount}/launch?role=learner&amp;storage=none" data-launch="no-storage">Start som deltaker fra en plattform uten postMessage-lagring</a></li></ul>
<h2>Lenker i emnet</h2>
${links.length
  ? html`<ul class="ds-list" data-dev-links>${links.map(
      (link) => html`<li data-link="${link.id}"><strong>${link.title}</strong>
<ul>${(['learner', 'designer'] as const).map((role) => html`<li><a href="${mount}/launch?role=${role}&amp;link=${encodeURIComponent(link.id)}" data-launch-link="${link.id}" data-role="${role}">Åpne «${link.title}» som ${ROLE_LABELS[role]} (${DEV_USERS[role].name})</a></li>`)}
<li><a href="${mount}/launch?role=learner&amp;user=2&amp;link=${encodeURIComponent(link.id)}" data-launch-link="${link.id}" data-role="learner2">Åpne «${link.title}» som ${ROLE_LABELS.learner} (${DEV_SECOND_LEARNER.name})</a></li></ul></li>`,
    )}</ul>`
  : html`<p>Ingen ennå. Legg til et læringsløp med dyplenking.</p>`}
<h2>Vurderingskolonner</h2>
${lineItems.length ? html`<ul class="ds-list">${lineItems.map((li) => html`<li>${li.label} (maks ${li.score_maximum}, ressurs ${li.resource_id ?? '–'}, lenke ${li.resource_link_id ?? '–'})</li>`)}</ul>` : html`<p>Ingen ennå.</p>`}
<h2>Resultater mottatt</h2>
${scores.length
  ? table({
    label: 'Resultater mottatt',
    columns: [{ label: 'Kolonne' }, { label: 'Bruker' }, { label: 'Poeng' }, { label: 'Status' }, { label: 'Tidspunkt' }],
    rows: scores.map((s) => ({
      attrs: html` data-score`,
      cells: [s.label, s.user_id, s.score_given === null ? (s.activity_progress === 'Completed' ? 'fullført, uten poeng' : '–') : `${s.score_given} / ${s.score_maximum ?? '–'}`, `${s.activity_progress}, ${s.grading_progress}`, s.timestamp],
    })),
  })
  : html`<p>Ingen ennå.</p>`}`,
      }),
    );
  });

  // "Launch as …": the course page with the tool in an iframe, as Moodle shows it.
  router.get(`${mount}/launch`, (req, res) => {
    const role = DEV_ROLES.find((r) => r === req.query['role']) ?? 'learner';
    const messageType = req.query['message'] === 'deeplink' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest';
    // ?storage=none imitates a platform without LTI client-side storage (the new-window fallback).
    const linkId = typeof req.query['link'] === 'string' ? req.query['link'] : undefined;
    const src = lms.startLaunch(role, messageType, req.query['storage'] === 'none' ? undefined : '_parent', linkId, req.query['user'] === '2');
    res.setHeader('Cache-Control', 'no-store');
    sendPage(
      res,
      200,
      page({
        locale: 'nb',
        title: `Læringsløp som ${ROLE_LABELS[role]}`,
        body: html`<h1>${DEV_COURSE.title}</h1>
<p><a href="${mount}">Tilbake til utviklings-LMS</a></p>
<script src="${mount}/assets/storage-host.js"></script>
<iframe id="tool-frame" title="Læringsløp" src="${src}" class="app-lms-frame"></iframe>`,
      }),
    );
  });

  router.get(`${mount}/jwks`, async (_req, res) => void res.json(await lms.jwks()));

  router.all(`${mount}/auth`, async (req, res) => {
    const { redirectUri, fields } = await lms.authorize(flat(req));
    sendPage(
      res,
      200,
      page({
        locale: 'nb',
        title: 'Sender deg til Læringsløp',
        body: html`<h1>Sender deg til Læringsløp</h1>
<form method="post" action="${redirectUri}" data-autosubmit>
${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${button('Fortsett')}</form>
<script src="${mount}/assets/autosubmit.js"></script>`,
      }),
    );
  });

  router.post(`${mount}/token`, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await lms.token(flat(req)));
  });

  const lineItemUrl = (course: string, id: number) => `${lms.issuer}/courses/${course}/lineitems/${id}/lineitem?type_id=1`;
  const lineItemJson = (li: { id: number; context_id: string; label: string; score_maximum: number; resource_id: string | null; tag: string | null; resource_link_id: string | null }) => ({
    id: lineItemUrl(li.context_id, li.id),
    label: li.label,
    scoreMaximum: li.score_maximum,
    ...(li.resource_id ? { resourceId: li.resource_id } : {}),
    ...(li.tag ? { tag: li.tag } : {}),
    ...(li.resource_link_id ? { resourceLinkId: li.resource_link_id } : {}),
  });
  const agsJson = express.json({ type: ['application/json', 'application/vnd.ims.lis.v2.lineitem+json', 'application/vnd.ims.lis.v1.score+json'] });

  router.get(`${courseBase}/lineitems`, async (req, res) => {
    await lms.authorizeService(req.headers.authorization, SCOPE.lineItemReadOnly).catch(() => lms.authorizeService(req.headers.authorization, SCOPE.lineItem));
    const items = await listLineItems(db, (req.params as Record<string, string>)['course']!, { resourceLinkId: str(req.query['resource_link_id']) });
    res.type('application/vnd.ims.lis.v2.lineitemcontainer+json').send(JSON.stringify(items.map(lineItemJson)));
  });

  router.post(`${courseBase}/lineitems`, agsJson, async (req, res) => {
    await lms.authorizeService(req.headers.authorization, SCOPE.lineItem);
    const item = await createLineItem(db, (req.params as Record<string, string>)['course']!, req.body as Record<string, unknown>);
    res.status(201).type('application/vnd.ims.lis.v2.lineitem+json').send(JSON.stringify(lineItemJson(item)));
  });

  router.post(`${courseBase}/lineitems/:id/lineitem/scores`, agsJson, async (req, res) => {
    await lms.authorizeService(req.headers.authorization, SCOPE.score);
    const item = await findLineItem(db, (req.params as Record<string, string>)['course']!, Number((req.params as Record<string, string>)['id']));
    if (!item) throw new DevLmsError('not_found', 'no such line item', 404);
    await addScore(db, item.id, req.body as Record<string, unknown>);
    res.status(204).end();
  });

  // NRPS 2.0 §2.2 with paging by Link: rel="next".
  router.get(`${courseBase}/members`, async (req, res) => {
    await lms.authorizeService(req.headers.authorization, SCOPE.nrps);
    const all = devMembers();
    const limit = Math.min(Number(req.query['limit']) || PAGE_SIZE, 100);
    const pageNumber = Math.max(Number(req.query['page']) || 1, 1);
    const members = all.slice((pageNumber - 1) * limit, pageNumber * limit);
    if (pageNumber * limit < all.length) {
      res.setHeader('Link', `<${lms.issuer}/courses/${(req.params as Record<string, string>)['course']!}/members?limit=${limit}&page=${pageNumber + 1}>; rel="next"`);
    }
    res.type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json').send(
      JSON.stringify({ id: `${lms.issuer}/courses/${(req.params as Record<string, string>)['course']!}/members`, context: { id: (req.params as Record<string, string>)['course']!, label: DEV_COURSE.label, title: DEV_COURSE.title }, members }),
    );
  });

  // Deep Linking 2.0 §4.2: the tool's response arrives here; items become links with line items.
  router.post(`${mount}/deep-link-return`, async (req, res) => {
    const payload = await lms.readDeepLinkResponse(String((req.body as Record<string, unknown>)['JWT'] ?? ''));
    const items = (payload[CLAIM.contentItems] as Record<string, unknown>[] | undefined) ?? [];
    for (const item of items) {
      if (item['type'] !== 'ltiResourceLink') continue;
      const custom = Object.fromEntries(Object.entries((item['custom'] as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]));
      const link = await lms.addLink({ title: String(item['title'] ?? 'Læringsløp'), custom });
      const lineItem = item['lineItem'] as Record<string, unknown> | undefined;
      if (lineItem) await createLineItem(db, DEV_COURSE.id, { ...lineItem, label: lineItem['label'] ?? item['title'], resourceLinkId: link.id });
    }
    sendPage(
      res,
      200,
      page({
        locale: 'nb',
        title: 'Lagt til i emnet',
        body: html`<h1>Lagt til i emnet</h1><ul class="ds-list">${items.map((item) => html`<li data-content-item>${String(item['title'])}: <code>${JSON.stringify(item['custom'] ?? {})}</code></li>`)}</ul>
<p><a href="${mount}" target="_top">Tilbake til utviklings-LMS</a></p>`,
      }),
    );
  });

  router.use(devLmsErrors);
  return router;
}

const devLmsErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (!(error instanceof DevLmsError)) {
    next(error);
    return;
  }
  res.status(error.status).json({ error: error.error, error_description: error.description });
};
