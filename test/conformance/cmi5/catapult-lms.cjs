/*
 * The ADL CATAPULT LMS test suite's adapter for Læringsløp (lts/lib/lms.template.js is its model).
 * It drives a running tool only as its people would, over HTTP: the development LMS's LTI launches,
 * the designer's package upload, path pages and Deep Linking, the learner's step page, the course
 * teacher's cmi5 actions, and an xAPI client's read of the LRS. docs/content.md ("The ADL CATAPULT
 * LMS test suite") says how to run it.
 *
 * Environment: LAERINGSLOP_URL (the tool, default http://127.0.0.1:3710), LAERINGSLOP_LRS_KEY and
 * LAERINGSLOP_LRS_SECRET (a client made with `npm run cli -- xapi-client add --tenant 3303
 * --name "CATAPULT LTS" --scopes all/read`). Plain CommonJS with Node's fetch: the suite loads it
 * with require() and has no other dependency for it.
 * (`crypto`, not `node:crypto`: the suite's Jest 27 resolves no node: prefix.)
 */
'use strict';

const { randomUUID } = require('crypto');
const path = require('path');

const suiteLib = process.env.CATAPULT_LTS_LIB || path.join(process.cwd(), 'lib');
const { InvalidPackageError } = require(path.join(suiteLib, 'errors.js'));

/**
 * Node's fetch, or, inside the suite's Jest 27 sandbox (which does not expose it), the same subset
 * over @hapi/wreck, the request library the suite itself uses: status, headers.get, text, json.
 */
const fetch = globalThis.fetch || (() => {
  const Wreck = require(require.resolve('@hapi/wreck', { paths: [process.cwd()] }));
  return async (url, init = {}) => {
    const headers = { ...(init.headers || {}) };
    let payload = init.body;
    if (payload instanceof URLSearchParams) payload = payload.toString();
    const res = await Wreck.request(init.method || 'GET', String(url), { headers, payload, redirects: init.redirect === 'manual' ? 0 : 5 });
    const body = await Wreck.read(res);
    return {
      status: res.statusCode,
      headers: { get: (name) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v); } },
      text: async () => body.toString('utf8'),
      json: async () => JSON.parse(body.toString('utf8')),
    };
  };
})();

const toolUrl = () => (process.env.LAERINGSLOP_URL || 'http://127.0.0.1:3710').replace(/\/$/, '');
const lmsUrl = () => `${toolUrl()}/dev/lms`;

/** Courses imported in this suite run: package id → what the adapter placed for it. */
const courses = new Map();
/** Registrations the suite got from a launch → the course and learner session they belong to. */
const registrations = new Map();
let designerToken;
/** The course whose AU was launched last: its teacher abandons sessions (abandonSession gets only an id). */
let lastCourse;

const decode = (value) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attribute(page, pattern, what) {
  const match = pattern.exec(page);
  if (!match) throw new Error(`${what}: not found in ${page.slice(0, 600)}`);
  return decode(match[1]);
}

function hiddenFields(page) {
  const fields = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">/g)) fields[m[1]] = decode(m[2]);
  return fields;
}

/** The fields of the form posting `action` (the data-action of the learner's step forms). */
function formFields(page, action) {
  const form = new RegExp(`<form method="post" action="[^"]*"[^>]*data-action="${action}">([\\s\\S]*?)</form>`).exec(page);
  if (!form) throw new Error(`no ${action} form in page: ${page.slice(0, 600)}`);
  return hiddenFields(form[1]);
}

async function expectStatus(response, statuses, what) {
  if (!statuses.includes(response.status)) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 600)}`);
  return response;
}

const postForm = (url, fields, headers = {}) => fetch(url, {
  method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers }, body: new URLSearchParams(fields),
});

/**
 * A launch from the development LMS's course page, as its browser makes it: the course page's
 * frame → the tool's OIDC login → the LMS's authorization → the form post to /lti/launch.
 */
async function ltiLaunch(query) {
  const coursePage = await (await fetch(`${lmsUrl()}/launch?${new URLSearchParams(query)}`)).text();
  const loginUrl = attribute(coursePage, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/, 'LMS frame');
  const login = await fetch(loginUrl, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') || '').split(';')[0];
  const loginPage = await login.text();
  const authUrl = login.status === 302 ? login.headers.get('location') : attribute(loginPage, /data-next="([^"]+)"/, 'login next');
  const authPage = await (await fetch(new URL(authUrl, toolUrl()))).text();
  const action = attribute(authPage, /<form method="post" action="([^"]+)"/, 'authorization form');
  const launched = await postForm(action, hiddenFields(authPage), { cookie });
  const body = await launched.text();
  const location = launched.headers.get('location');
  const session = /session=([A-Za-z0-9._-]+)/.exec(location || body);
  return { status: launched.status, location: location ? new URL(location, toolUrl()) : undefined, body, session: session ? session[1] : /name="session" value="([^"]+)"/.exec(body)?.[1] };
}

async function designerSession() {
  if (!designerToken) {
    const launched = await ltiLaunch({ role: 'designer' });
    if (!launched.session) throw new Error(`designer launch failed: ${launched.status}`);
    designerToken = launched.session;
  }
  return designerToken;
}

/** The designer makes a path with the course as its one cmi5 step, publishes it and places it in the LMS course. */
async function placeCourse(course) {
  const session = await designerSession();
  const title = `CATAPULT ${course.filename} ${randomUUID().slice(0, 8)}`;
  const created = await expectStatus(await postForm(`${toolUrl()}/design/paths`, { session, title, description: '', language: 'en' }), [303], 'create path');
  const pathId = /\/design\/paths\/([0-9a-f-]{36})/.exec(created.headers.get('location'))[1];
  const step = await expectStatus(await postForm(`${toolUrl()}/design/paths/${pathId}/steps`, {
    session, type: 'cmi5', title: course.filename, required: 'yes', packageId: course.packageId, allowedOrigins: '',
  }), [303], 'add cmi5 step');
  const stepId = /#step-([0-9a-f-]{36})/.exec(step.headers.get('location'))[1];
  await expectStatus(await postForm(`${toolUrl()}/design/paths/${pathId}/publish`, { session }), [303], 'publish path');

  // Deep Linking: the designer picks the path, the LMS makes a course link of it.
  const picker = await ltiLaunch({ role: 'designer', message: 'deeplink' });
  const fields = hiddenFields(picker.body);
  const chosen = await expectStatus(await postForm(`${toolUrl()}/lti/deep-linking/respond`, { session: fields.session, context: fields.context, item: pathId }), [200], 'deep linking');
  const chosenPage = await chosen.text();
  await expectStatus(await postForm(attribute(chosenPage, /<form method="post" action="([^"]+)"/, 'deep link return'), hiddenFields(chosenPage)), [200], 'deep link return');
  const lmsPage = await (await fetch(lmsUrl())).text();
  const linkId = attribute(lmsPage, new RegExp(`<li data-link="([^"]+)"><strong>${title}</strong>`), 'course link');

  // The course's teacher opens the link: the course view, whose session waives and abandons.
  const teacher = await ltiLaunch({ role: 'designer', link: linkId });
  if (!teacher.session || !teacher.location || !/\/teach\/links\//.test(teacher.location.pathname)) throw new Error(`teacher launch did not reach the course view: ${teacher.status} ${teacher.location}`);
  Object.assign(course, { pathId, stepId, linkId, teacherToken: teacher.session });
}

/** The learner opens the course link and the step page; the AUs in course order. */
async function learnerStep(course) {
  const launched = await ltiLaunch({ role: 'learner', link: course.linkId });
  if (!launched.location) throw new Error(`learner launch failed: ${launched.status} ${launched.body.slice(0, 600)}`);
  const stepUrl = new URL(`${launched.location.pathname}/steps/${course.stepId}`, toolUrl());
  stepUrl.search = launched.location.search;
  const page = await (await expectStatus(await fetch(stepUrl, { headers: { accept: 'text/html' } }), [200], 'step page')).text();
  const aus = [...page.matchAll(/<li data-au="([^"]+)"/g)].map((m) => decode(m[1]));
  return { stepUrl, page, aus };
}

/** The designer opens the step's settings and previews an AU in Browse or Review mode. */
async function designerPreview(course, au, mode) {
  const session = await designerSession();
  const page = await (await expectStatus(await fetch(`${toolUrl()}/design/paths/${course.pathId}/steps/${course.stepId}?${new URLSearchParams({ session })}`, { headers: { accept: 'text/html' } }), [200], 'step settings')).text();
  const forms = [...page.matchAll(/<form method="post" action="([^"]+)"[^>]*data-action="cmi5-preview"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => { const fields = hiddenFields(f[2]); return fields.au === au && fields.mode === mode; });
  if (!form) throw new Error(`no ${mode} preview of ${au} on the step settings page`);
  return postForm(new URL(decode(form[1]), toolUrl()).href, hiddenFields(form[2]));
}

async function teacherApi(course, method, pathname, body) {
  const response = await fetch(`${toolUrl()}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${course.teacherToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return expectStatus(response, [200, 201], `${method} ${pathname}`);
}

module.exports = {
  setup: async () => {
    await expectStatus(await fetch(`${toolUrl()}/healthz`), [200], 'the tool is not running');
    if (!process.env.LAERINGSLOP_LRS_KEY || !process.env.LAERINGSLOP_LRS_SECRET) throw new Error('LAERINGSLOP_LRS_KEY and LAERINGSLOP_LRS_SECRET are needed');
  },

  teardown: async () => {
    designerToken = undefined;
  },

  getLrsEndpoint: () => `${toolUrl()}/xapi`,
  getLrsAuthHeader: () => `Basic ${Buffer.from(`${process.env.LAERINGSLOP_LRS_KEY}:${process.env.LAERINGSLOP_LRS_SECRET}`).toString('base64')}`,

  importCourse: async (stream, contentType, filename) => {
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const session = await designerSession();
    const response = await fetch(`${toolUrl()}/design/packages/upload?${new URLSearchParams({ session, name: filename })}`, {
      method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body: Buffer.concat(chunks),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) {
      courses.set(answer.id, { packageId: answer.id, filename });
      return answer.id;
    }
    if (typeof answer.type === 'string' && answer.type.endsWith('/content-package-invalid')) {
      throw new InvalidPackageError(`${filename}: ${answer.code}: ${answer.detail}`);
    }
    throw new Error(`import of ${filename}: HTTP ${response.status} ${JSON.stringify(answer)}`);
  },

  getLaunchUrl: async (courseId, auIndex, _actor, { registration, launchMode } = {}) => {
    const course = courses.get(courseId);
    if (!course) throw new Error(`unknown course ${courseId}`);
    if (registration && registrations.get(registration)?.course !== course) throw new Error(`registration ${registration} is not one of course ${courseId}`);
    if (!course.linkId) await placeCourse(course);
    lastCourse = course;
    const step = await learnerStep(course);
    course.aus = step.aus;
    const au = step.aus[auIndex];
    if (!au) throw new Error(`course ${courseId} has no AU ${auIndex} (${step.aus.length} AUs)`);
    // Browse and Review: the designer's preview of the step (a learner reviews only what they finished).
    const opened = launchMode && launchMode !== 'Normal'
      ? await designerPreview(course, au, launchMode)
      : await postForm(step.stepUrl.href.split('?')[0], { ...formFields(step.page, 'open'), au });
    await expectStatus(opened, [303], `open AU ${au}`);
    const url = new URL(opened.headers.get('location'), toolUrl());
    const got = url.searchParams.get('registration');
    if (registration && got !== registration) throw new Error(`the learner's launch is in registration ${got}, not ${registration}`);
    registrations.set(got, { course });
    return url.href;
  },

  cleanup: async () => {
    // The tool keeps what learners did (it is documentation); each test imports a course of its own.
  },

  hasWaive: () => true,
  waiveAU: async (registration, auIndex, reason) => {
    const known = registrations.get(registration);
    if (!known) throw new Error(`registration ${registration} was not launched by this adapter`);
    const au = known.course.aus[auIndex];
    await teacherApi(known.course, 'POST', `/api/cmi5/registrations/${registration}/waivers`, { au, reason });
  },

  hasAbandon: () => true,
  abandonSession: async (sessionId) => {
    if (!lastCourse) throw new Error('no AU has been launched');
    await teacherApi(lastCourse, 'POST', `/api/cmi5/sessions/${sessionId}/abandon`);
  },
};
