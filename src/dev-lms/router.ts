import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { CLAIM, SCOPE } from '../lti/claims.js';
import { alert, button, link, srOnly, table } from '../web/ds/components.js';
import { select } from '../web/ds/fields.js';
import { html } from '../web/html.js';
import { page, sendPage } from '../web/layout.js';
import { toLocale, type Locale } from '../web/i18n.js';
import { findMunicipality, listTenants } from '../tenants/tenants.js';
import { DEV_COURSE, DEV_DEFAULT_KOMMUNENUMMER, DEV_REGION_CHOICE, DEV_ROLES, DEV_SECOND_LEARNER, DEV_USERS, DevLmsError, type DevLms, type DevRole } from './dev-lms.js';
import { addScore, createLineItem, devMembers, findLineItem, listLineItems, listScores } from './gradebook.js';
import { roleLabel, tl } from './messages.js';
import { registerDevLmsFor, registerDevLmsForRegion } from './register.js';

/** Who each course link can be opened as: every role of the course, and its second learner. */
const LINK_OPENERS: readonly { role: DevRole; second?: boolean }[] = [
  { role: 'learner' }, { role: 'learner', second: true }, { role: 'designer' }, { role: 'manager' }, { role: 'admin' },
];

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

const INITIATION_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id'];
const PAGE_SIZE = 10;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const flat = (req: Request): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries({ ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) }).map(([k, v]) => [k, str(v)]));

interface Municipality {
  id: string | null;
  kommunenummer: string;
  name: string;
}

/** The municipality the page is for: `?kommune=` when the database knows it, else Kongsberg (and what was asked). */
async function chosenMunicipality(db: DevLms['options']['db'], req: Request): Promise<{ municipality: Municipality; unknown?: string }> {
  const asked = str(req.query['kommune'])?.trim();
  const found = asked && /^\d{4}$/.test(asked) ? await findMunicipality(db, asked) : undefined;
  if (found && !found.retiredAt) return { municipality: { id: found.id, kommunenummer: found.kommunenummer!, name: found.name } };
  const kongsberg = await findMunicipality(db, DEV_DEFAULT_KOMMUNENUMMER);
  const fallback = { id: kongsberg?.id ?? null, kommunenummer: DEV_DEFAULT_KOMMUNENUMMER, name: kongsberg?.name ?? 'Kongsberg' };
  return asked === undefined || asked === DEV_DEFAULT_KOMMUNENUMMER ? { municipality: fallback } : { municipality: fallback, unknown: asked.slice(0, 20) };
}

/** The development LMS's routes, below `mount` (/dev/lms in the tool). */
export function devLmsRouter(lms: DevLms, mount = '/dev/lms'): Router {
  const router = Router();
  // Like an LMS's own language setting: `?lang=` when given, else the LMS's, else bokmål; never the
  // browser's, since the page's language is also the locale its launches send.
  const localeOf = (req: Request): Locale => toLocale(str(req.query['lang'])) ?? toLocale(lms.options.locale) ?? 'nb';
  const db = lms.options.db;
  const courseBase = `${mount}/courses/:course`;

  router.get(`${mount}/assets/storage-host.js`, (_req, res) => void res.type('text/javascript').send(STORAGE_HOST_JS));
  router.get(`${mount}/assets/autosubmit.js`, (_req, res) => void res.type('text/javascript').send(AUTOSUBMIT_JS));

  // The municipality and language chosen are remembered in the URL of every link on the page.
  router.get(mount, async (req, res) => {
    const locale = localeOf(req);
    const { municipality, unknown } = await chosenMunicipality(db, req);
    const kommune = municipality.kommunenummer;
    const [scores, lineItems, links, all] = await Promise.all([listScores(db), listLineItems(db, DEV_COURSE.id), lms.listLinks(), listTenants(db, { kind: 'municipality' })]);
    const municipalities = all.filter((t) => !t.retiredAt).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const launchHref = (query: Record<string, string>) => `${mount}/launch?${new URLSearchParams({ ...query, kommune, lang: locale }).toString()}`;
    const named = `${municipality.name} (${kommune})`;
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'title'),
        path: mount,
        keep: { kommune },
        body: html`<h1>${tl(locale, 'title')}</h1>
<p>${tl(locale, 'intro', { course: DEV_COURSE.title, municipality: named })} <code>${lms.issuer}</code></p>
${unknown === undefined ? '' : alert('danger', tl(locale, 'municipality.unknown', { number: unknown, municipality: named }), { live: 'alert', attrs: html` data-unknown-municipality` })}
<form method="get" action="${mount}" class="app-search" data-municipality-form>
<input type="hidden" name="lang" value="${locale}">
${select({ locale, values: { kommune }, errors: new Map() }, 'kommune', tl(locale, 'municipality'), municipalities.map((m) => ({ value: m.kommunenummer ?? '', label: `${m.name} (${m.kommunenummer ?? ''})` })), { hint: tl(locale, 'municipality.hint'), attrs: html` data-municipality="${kommune}"` })}
${button(tl(locale, 'municipality.choose'), { variant: 'secondary' })}
</form>
<h2>${tl(locale, 'launch.heading')}</h2>
<ul class="ds-list">${DEV_ROLES.map((role) => html`<li>${link(launchHref({ role }), tl(locale, 'launch.as', { role: roleLabel(locale, role), name: DEV_USERS[role].name }), html` data-launch="${role}"`)}</li>`)}
<li>${link(launchHref({ role: 'designer', message: 'deeplink' }), tl(locale, 'launch.deeplink'), html` data-launch="deeplink"`)}</li>
<li>${link(launchHref({ role: 'learner', storage: 'none' }), tl(locale, 'launch.no-storage'), html` data-launch="no-storage"`)}</li>
<li>${link(launchHref({ role: 'designer', message: 'deeplink', storage: 'none' }), tl(locale, 'launch.deeplink-no-storage'), html` data-launch="deeplink-no-storage"`)}</li>
<li>${link(launchHref({ role: 'learner', via: DEV_REGION_CHOICE }), tl(locale, 'launch.via-region'), html` data-launch="via-region"`)}</li></ul>
<h2>${tl(locale, 'links.heading')}</h2>
${links.length
  ? html`<ul class="ds-list" data-dev-links>${links.map(
      (devLink) => html`<li data-link="${devLink.id}"><strong>${devLink.title}</strong>
<ul>${LINK_OPENERS.map(({ role, second }) => {
  const user = second ? DEV_SECOND_LEARNER : DEV_USERS[role];
  return html`<li><a class="ds-link" href="${launchHref({ role, link: devLink.id, ...(second ? { user: '2' } : {}) })}" data-launch-link="${devLink.id}" data-role="${second ? 'learner2' : role}">${tl(locale, 'links.open', { role: roleLabel(locale, role), name: user.name })}${srOnly(`: ${devLink.title}`)}</a></li>`;
})}</ul></li>`,
    )}</ul>`
  : html`<p>${tl(locale, 'links.none')}</p>`}
<h2>${tl(locale, 'lineitems.heading')}</h2>
${lineItems.length ? html`<ul class="ds-list">${lineItems.map((li) => html`<li>${tl(locale, 'lineitems.item', { label: li.label, max: li.score_maximum, resource: li.resource_id ?? '–', link: li.resource_link_id ?? '–' })}</li>`)}</ul>` : html`<p>${tl(locale, 'none')}</p>`}
<h2>${tl(locale, 'scores.heading')}</h2>
${scores.length
  ? table({
    label: tl(locale, 'scores.heading'),
    columns: [{ label: tl(locale, 'scores.column') }, { label: tl(locale, 'scores.user') }, { label: tl(locale, 'scores.score') }, { label: tl(locale, 'scores.status') }, { label: tl(locale, 'scores.time') }],
    rows: scores.map((s) => ({
      attrs: html` data-score`,
      cells: [s.label, s.user_id, s.score_given === null ? (s.activity_progress === 'Completed' ? tl(locale, 'scores.completed-no-score') : '–') : `${s.score_given} / ${s.score_maximum ?? '–'}`, `${s.activity_progress}, ${s.grading_progress}`, s.timestamp],
    })),
  })
  : html`<p>${tl(locale, 'none')}</p>`}`,
      }),
    );
  });

  // "Launch as …": the course page with the tool in an iframe, as Moodle shows it.
  router.get(`${mount}/launch`, async (req, res) => {
    const locale = localeOf(req);
    const role = DEV_ROLES.find((r) => r === req.query['role']) ?? 'learner';
    const messageType = req.query['message'] === 'deeplink' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest';
    const { municipality, unknown } = await chosenMunicipality(db, req);
    const kommune = municipality.kommunenummer;
    res.setHeader('Cache-Control', 'no-store');
    if (unknown !== undefined) {
      sendPage(res, 400, page({
        locale,
        title: tl(locale, 'refused.title'),
        body: html`<div data-refused><h1>${tl(locale, 'refused.title')}</h1>
${alert('danger', tl(locale, 'municipality.unknown', { number: unknown, municipality: `${municipality.name} (${kommune})` }))}
<p>${link(`${mount}?${new URLSearchParams({ lang: locale }).toString()}`, tl(locale, 'back'))}</p></div>`,
      }));
      return;
    }
    // Kongsberg's registration is made at start-up; another municipality gets its own on first use.
    // ?via=region launches through the region's shared registration, naming no municipality.
    const viaRegion = req.query['via'] === DEV_REGION_CHOICE;
    if (viaRegion) await registerDevLmsForRegion(db, lms);
    else if (kommune !== DEV_DEFAULT_KOMMUNENUMMER) await registerDevLmsFor(db, lms, kommune);
    // ?storage=none imitates Moodle 4.5: no LTI client-side storage, and the frame posts the login
    // initiation to the tool from a page of the LMS. ?storage=silent offers the storage but never
    // answers (a platform whose storage frame is broken).
    const linkId = typeof req.query['link'] === 'string' ? req.query['link'] : undefined;
    const moodleLike = req.query['storage'] === 'none';
    const silent = req.query['storage'] === 'silent';
    const login = lms.startLaunch(role, messageType, moodleLike ? undefined : '_parent', linkId, req.query['user'] === '2', { kommunenummer: viaRegion ? DEV_REGION_CHOICE : kommune, locale });
    const src = moodleLike ? `${mount}/initiate${new URL(login).search}` : login;
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'frame.title', { role: roleLabel(locale, role) }),
        // The language links launch again in the other language, as the same person in the same place.
        path: `${mount}/launch`,
        keep: Object.fromEntries(['role', 'message', 'link', 'user', 'storage'].flatMap((k) => (str(req.query[k]) ? [[k, str(req.query[k])!]] : [])).concat([['kommune', kommune]])),
        body: html`<h1>${DEV_COURSE.title}</h1>
<p>${link(`${mount}?${new URLSearchParams({ kommune, lang: locale }).toString()}`, tl(locale, 'back'))}</p>
${silent ? '' : html`<script src="${mount}/assets/storage-host.js"></script>`}
<iframe id="tool-frame" title="Læringsløp" src="${src}" class="app-lms-frame"></iframe>`,
      }),
    );
  });

  // Moodle's launch.php: an auto-submitted form that posts the login initiation to the tool.
  router.get(`${mount}/initiate`, (req, res) => {
    const locale = localeOf(req);
    const fields = Object.entries(flat(req)).filter((e): e is [string, string] => INITIATION_FIELDS.includes(e[0]) && e[1] !== undefined);
    res.setHeader('Cache-Control', 'no-store');
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'initiate.title'),
        body: html`<h1>${tl(locale, 'initiate.title')}</h1>
<form method="post" action="${lms.options.toolUrl}/lti/login" data-autosubmit>
${fields.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${button(tl(locale, 'sending.continue'))}</form>
<script src="${mount}/assets/autosubmit.js"></script>`,
      }),
    );
  });

  router.get(`${mount}/jwks`, async (_req, res) => void res.json(await lms.jwks()));

  router.all(`${mount}/auth`, async (req, res) => {
    const { redirectUri, fields } = await lms.authorize(flat(req));
    const locale = localeOf(req);
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'sending.title'),
        body: html`<h1>${tl(locale, 'sending.title')}</h1>
<form method="post" action="${redirectUri}" data-autosubmit>
${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
${button(tl(locale, 'sending.continue'))}</form>
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
    const locale = localeOf(req);
    sendPage(
      res,
      200,
      page({
        locale,
        title: tl(locale, 'deeplink.title'),
        body: html`<h1>${tl(locale, 'deeplink.title')}</h1><ul class="ds-list">${items.map((item) => html`<li data-content-item>${String(item['title'])}: <code>${JSON.stringify(item['custom'] ?? {})}</code></li>`)}</ul>
<p>${link(`${mount}?${new URLSearchParams({ kommune: str(req.query['kommune']) ?? DEV_DEFAULT_KOMMUNENUMMER, lang: locale }).toString()}`, tl(locale, 'back'), html` target="_top"`)}</p>`,
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
