import { describe, expect, it } from 'vitest';
import { breadcrumbs, button, pageNumbers, pagination, table, tabs } from '../../src/web/ds/components.js';
import { choiceGroup, errorSummary, input } from '../../src/web/ds/fields.js';
import { STYLESHEETS } from '../../src/web/ds/stylesheets.js';
import { normaliseHex } from '../../src/web/ds/theme.js';
import { html } from '../../src/web/html.js';

describe('Designsystemet components', () => {
  it('serves the pinned Designsystemet CSS under content-hashed names', () => {
    const [theme, components, app] = STYLESHEETS;
    expect(theme!.href).toMatch(/^\/assets\/designsystemet-theme\.[0-9a-f]{12}\.css$/);
    expect(theme!.body.includes('--ds-color-accent-base-default:#0062ba')).toBe(true);
    expect(theme!.body.includes('[data-color-scheme=dark]')).toBe(true);
    expect(components!.body.includes('.ds-error-summary')).toBe(true);
    // Our own stylesheet is small and on Designsystemet's tokens.
    expect(app!.body.length).toBeLessThan(8_000);
    expect(app!.body).not.toMatch(/#[0-9a-f]{3,8}\b/i);
  });

  it('pages: first, last, the current with its neighbours, gaps', () => {
    expect(pageNumbers(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageNumbers(1, 20)).toEqual([1, 2, 3, 4, 5, null, 20]);
    expect(pageNumbers(10, 20)).toEqual([1, null, 9, 10, 11, null, 20]);
    expect(pageNumbers(20, 20)).toEqual([1, null, 16, 17, 18, 19, 20]);
    const nav = pagination({ label: 'Sider', previous: 'Forrige', next: 'Neste', current: 2, total: 3, href: (n) => `/x?page=${n}` }).value;
    expect(nav).toContain('<nav class="ds-pagination" aria-label="Sider"');
    expect(nav).toContain('href="/x?page=2" aria-current="page">2</a>');
    expect(nav).toContain('rel="prev">Forrige</a>');
    expect(pagination({ label: 'S', previous: 'p', next: 'n', current: 1, total: 1, href: () => '' }).value).toBe('');
  });

  it('a sortable table header is a submit button of a GET form, so sorting needs no script', () => {
    const markup = table({
      label: 'Læringsløp',
      sortForm: 'search',
      columns: [{ label: 'Tittel', sort: { value: 'title-desc', direction: 'ascending' } }, { label: 'Antall', numeric: true }],
      rows: [{ cells: ['<b>', 3], attrs: html` data-row` }],
    }).value;
    expect(markup).toContain('<div class="app-table-scroll" role="region" aria-label="Læringsløp" tabindex="0">');
    expect(markup).toContain('<th scope="col" aria-sort="ascending"><button type="submit" form="search" name="sort" value="title-desc">Tittel</button></th>');
    expect(markup).toContain('<tr data-row><td>&lt;b&gt;</td><td data-numeric>3</td></tr>');
  });

  it('fields carry their errors: summary links, aria-invalid, described by hint and message', () => {
    const state = { locale: 'nn' as const, values: { title: '"><x', kind: 'b' }, errors: new Map([['title', 'Skriv ein tittel.']]) };
    const summary = errorSummary(state, { title: 'Tittel' });
    expect(summary && summary.value).toContain('<a class="ds-link" href="#title">Tittel: Skriv ein tittel.</a>');
    expect(summary && summary.value).toContain('Skjemaet har feil');
    const field = input(state, 'title', 'Tittel', { hint: 'Kort' }).value;
    expect(field).toContain('value="&quot;&gt;&lt;x"');
    expect(field).toContain('aria-invalid="true" aria-describedby="title-hint title-error"');
    expect(field).toContain('<p class="ds-validation-message" data-field="validation" id="title-error">');
    const group = choiceGroup(state, 'kind', 'Slag', [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }]).value;
    expect(group).toContain('<fieldset class="ds-fieldset" id="kind"');
    expect(group).toContain('value="b" checked');
    expect(errorSummary({ ...state, errors: new Map() }, {})).toBe('');
  });

  it('buttons, breadcrumbs and tabs use Designsystemet markup', () => {
    expect(button('Slett', { danger: true, variant: 'secondary' }).value).toBe('<button class="ds-button" type="submit" data-variant="secondary" data-color="danger">Slett</button>');
    expect(breadcrumbs('Sti', [{ label: 'Alle', href: '/a' }]).value).toContain('<nav class="ds-breadcrumbs" aria-label="Sti" data-breadcrumbs>');
    const tabMarkup = tabs('Visninger', [{ href: '/a', label: 'A', current: true }, { href: '/b', label: 'B', current: false }]).value;
    expect(tabMarkup).toContain('<a role="tab" href="/a" aria-selected="true">A</a>');
    expect(tabMarkup).toContain('aria-selected="false"');
  });

  it('takes an accent only as #rrggbb', () => {
    expect(normaliseHex(' #1B6E37 ')).toBe('#1b6e37');
    for (const bad of ['red', '#fff', '#1b6e3780', '1b6e37', '#1b6e3g', 'url(x)']) expect(normaliseHex(bad)).toBeUndefined();
  });
});
