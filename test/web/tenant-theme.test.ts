import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { getTenantTheme, sniffLogoType } from '../../src/tenants/themes.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { accentContrast, accentThemeCss } from '../../src/web/ds/theme.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { DesignerClient } from '../designer/support/designer-http.js';

// The smallest valid PNG (1×1, transparent) and a JPEG and WebP header: what the sniffing accepts.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6300010000050001' + '0d0a2db40000000049454e44ae426082', 'hex');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');

async function postLogo(url: string, token: string, file: Buffer, name: string, type: string): Promise<{ status: number; body: string; location: string | null }> {
  const form = new FormData();
  form.append('logo', new Blob([new Uint8Array(file)], { type }), name);
  const response = await fetch(`${url}/admin/theme/logo?session=${encodeURIComponent(token)}`, { method: 'POST', body: form, redirect: 'manual' });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
}

describe(`a municipality's theme (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let kongsberg: string;
  let otherAdmin: DesignerClient;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'admin');
    admin = new DesignerClient(url, launch.sessionToken!);
    kongsberg = (await findMunicipality(db(), '3303'))!.id;
    // An administrator of another municipality (Oslo), with a session as its launch would give.
    const oslo = (await findMunicipality(db(), '0301'))!.id;
    const session = (await (await fetch(`${url}/lti/session?session=${admin.token}`)).json()) as LtiSession;
    const person = await createPerson(db(), oslo, { name: 'Oslo-admin' });
    otherAdmin = new DesignerClient(url, await new SessionTokens(SECRET).issue({ ...session, tenantId: oslo, personId: person.id }));
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('the colour scales come from Designsystemet and the contrast is measured against white', async () => {
    expect(await accentContrast('#0b5cad')).toBeGreaterThan(6);
    expect(await accentContrast('#ffcc00')).toBeLessThan(2);
    const css = await accentThemeCss('#1b6e37');
    expect(css).toContain('--ds-color-accent-base-default:#1b6e37;');
    expect(css).toMatch(/\[data-color-scheme=dark\]\{[^}]*--ds-color-accent-base-default:#[0-9a-f]{6};/);
    expect(css).toContain('@media (prefers-color-scheme:dark){[data-color-scheme=auto]{');
  });

  it('an admin sets an accent colour, and the pages of the municipality link its theme', async () => {
    const page = await admin.get('/admin/theme');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Utseende for kommunen</h1>');
    expect(page.body).toContain('Kongsberg');
    const saved = await admin.post('/admin/theme', { action: 'accent', accent: '#1B6E37' });
    expect(saved.status).toBe(303);
    expect(saved.location).toContain('notice=accent');
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBe('#1b6e37');

    const after = await admin.get('/admin/theme', { notice: 'accent' });
    expect(after.body).toContain('Fargen er lagret.');
    expect(after.body).toContain('<link rel="stylesheet" href="/assets/theme/1b6e37.css">');
    // A designer of the same municipality sees its theme too.
    const designer = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'designer')).sessionToken!);
    expect((await designer.get('/design')).body).toContain('href="/assets/theme/1b6e37.css"');
    // The theme's CSS is served from our origin and cached for good.
    const css = await fetch(`${url}/assets/theme/1b6e37.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect(await css.text()).toContain('--ds-color-accent-base-default:#1b6e37;');
    expect((await fetch(`${url}/assets/theme/1B6E37.css`)).status).toBe(404);
    expect((await fetch(`${url}/assets/theme/red.css`)).status).toBe(404);

    // Back to the default.
    expect((await admin.post('/admin/theme', { action: 'reset' })).status).toBe(303);
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBeNull();
    expect((await admin.get('/admin/theme')).body).not.toContain('/assets/theme/');
  });

  it('refuses a colour that fails WCAG AA contrast, or is no colour, with a field error in bokmål, nynorsk and English', async () => {
    const yellow = await admin.post('/admin/theme', { action: 'accent', accent: '#ffcc00' });
    expect(yellow.status).toBe(400);
    expect(yellow.body).toContain('data-error-summary');
    expect(yellow.body).toContain('<a class="ds-link" href="#accent">Aksentfarge: Fargen har for lav kontrast mot hvit bakgrunn: 1,51:1, minst 4,5:1 trengs.');
    expect(yellow.body).toMatch(/id="accent" name="accent" type="text" value="#ffcc00" autocomplete="off" aria-invalid="true" aria-describedby="accent-hint accent-error"/);
    expect(yellow.body).toContain('<p class="ds-validation-message" data-field="validation" id="accent-error">');
    // Just under the limit is refused too (4.48:1 is not 4.5:1).
    expect((await admin.post('/admin/theme', { action: 'accent', accent: '#777777' })).status).toBe(400);
    const nynorsk = await admin.post('/admin/theme', { action: 'accent', accent: '#ffcc00', lang: 'nn' });
    expect(nynorsk.body).toContain('Fargen har for låg kontrast mot kvit bakgrunn');
    const english = await admin.post('/admin/theme', { action: 'accent', accent: 'red', lang: 'en' });
    expect(english.status).toBe(400);
    expect(english.body).toContain('Write the colour as # and six hexadecimal digits');
    expect(english.body).toContain('value="red"');
    const script = await admin.post('/admin/theme', { action: 'accent', accent: '"><script>alert(1)</script>' });
    expect(script.status).toBe(400);
    expect(script.body).not.toContain('<script>alert(1)');
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBeNull();
  });

  it('only the administrator of the municipality changes its look: not another municipality, not a designer or learner', async () => {
    expect((await admin.post('/admin/theme', { action: 'accent', accent: '#0b5cad' })).status).toBe(303);
    // Oslo's admin changes Oslo, never Kongsberg, and sees Oslo's (default) look.
    const oslo = await otherAdmin.get('/admin/theme');
    expect(oslo.status).toBe(200);
    expect(oslo.body).toContain('Oslo');
    expect(oslo.body).not.toContain('/assets/theme/0b5cad.css');
    expect((await otherAdmin.post('/admin/theme', { action: 'accent', accent: '#7a1f1f' })).status).toBe(303);
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBe('#0b5cad');
    // Naming another tenant in the form changes nothing: the tenant is the session's.
    expect((await otherAdmin.post('/admin/theme', { action: 'accent', accent: '#123456', tenant: kongsberg, tenantId: kongsberg })).status).toBe(303);
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBe('#0b5cad');

    for (const role of ['designer', 'learner'] as const) {
      const other = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, role)).sessionToken!);
      expect((await other.get('/admin/theme')).status).toBe(403);
      expect((await other.post('/admin/theme', { action: 'accent', accent: '#000000' })).status).toBe(403);
      expect((await other.post('/admin/theme', { action: 'reset' })).status).toBe(403);
      expect((await postLogo(url, other.token, PNG, 'logo.png', 'image/png')).status).toBe(403);
      expect((await other.post('/admin/theme/logo/remove')).status).toBe(403);
    }
    expect((await fetch(`${url}/admin/theme`)).status).toBe(401);
    expect((await getTenantTheme(db(), kongsberg)).accentColor).toBe('#0b5cad');
  });

  it('takes a PNG logo, serves it with a safe type and policy, and refuses SVG and oversized files', async () => {
    expect(sniffLogoType(PNG)).toBe('image/png');
    const svg = await postLogo(url, admin.token, SVG, 'logo.png', 'image/png');
    expect(svg.status).toBe(400);
    expect(svg.body).toContain('SVG godtas ikke');
    expect(svg.body).toContain('href="#logo"');
    const huge = await postLogo(url, admin.token, Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'logo.png', 'image/png');
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('større enn 256 kB');
    expect((await getTenantTheme(db(), kongsberg)).logo).toBeNull();

    const uploaded = await postLogo(url, admin.token, PNG, 'kommune.png', 'image/png');
    expect(uploaded.status).toBe(303);
    const logo = (await getTenantTheme(db(), kongsberg)).logo!;
    expect(logo.type).toBe('image/png');
    const page = await admin.get('/admin/theme');
    const href = `/tenants/${kongsberg}/logo/${logo.sha256}`;
    expect(page.body).toContain(`<img src="${href}" alt="Kongsberg">`);
    const served = await fetch(url + href);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    // Another tenant's id with this hash, or a made-up hash, is not found.
    expect((await fetch(`${url}/tenants/${kongsberg}/logo/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${url}/tenants/not-a-tenant/logo/${logo.sha256}`)).status).toBe(404);

    expect((await admin.post('/admin/theme/logo/remove')).status).toBe(303);
    expect((await getTenantTheme(db(), kongsberg)).logo).toBeNull();
    expect((await fetch(url + href)).status).toBe(404);
  });
});
