import { html, SafeHtml } from '../html.js';

// Designsystemet (Digdir) components as server-rendered markup: its classes and data-* attributes,
// https://designsystemet.no. Pages call these helpers instead of writing component markup, so a new
// page gets the same buttons, fields and tables, and the CSS version can move in one place.
// Nothing here needs JavaScript: aria wiring that Designsystemet's web script would add is written out.

/** Extra attributes for the component's outer element (data-* hooks tests and scripts use), already safe. */
export type Attributes = SafeHtml | '';

export type ButtonVariant = 'primary' | 'secondary' | 'tertiary';

export interface ButtonOptions {
  type?: 'submit' | 'button';
  variant?: ButtonVariant;
  /** A destructive action (removing, discarding) in Designsystemet's danger colour. */
  danger?: boolean;
  name?: string;
  value?: string;
  size?: 'sm' | 'md' | 'lg';
  attrs?: Attributes;
}

const buttonData = (o: { variant?: ButtonVariant | undefined; danger?: boolean | undefined; size?: string | undefined }) =>
  html` data-variant="${o.variant ?? 'primary'}"${o.danger ? html` data-color="danger"` : ''}${o.size ? html` data-size="${o.size}"` : ''}`;

export function button(label: SafeHtml | string, options: ButtonOptions = {}): SafeHtml {
  return html`<button class="ds-button" type="${options.type ?? 'submit'}"${buttonData(options)}${options.name ? html` name="${options.name}"` : ''}${options.value !== undefined ? html` value="${options.value}"` : ''}${options.attrs ?? ''}>${label}</button>`;
}

/** A link that looks like a button: for a navigation that is the page's main way on. */
export function linkButton(href: string, label: SafeHtml | string, options: Omit<ButtonOptions, 'type' | 'name' | 'value'> = {}): SafeHtml {
  return html`<a class="ds-button" href="${href}"${options.attrs ?? ''}${buttonData(options)}>${label}</a>`;
}

export function link(href: string, label: SafeHtml | string, attrs: Attributes = ''): SafeHtml {
  return html`<a class="ds-link" href="${href}"${attrs}>${label}</a>`;
}

/** A row of buttons and links at the end of a form or above a list. */
export function buttonRow(...items: (SafeHtml | '')[]): SafeHtml {
  return html`<div class="app-buttons">${items}</div>`;
}

/** Text for screen readers only (e.g. which step a "Move up" button moves). */
export function srOnly(text: string): SafeHtml {
  return html`<span class="ds-sr-only">${text}</span>`;
}

export type Severity = 'info' | 'success' | 'warning' | 'danger';

/** A message box; `live` makes it a status (polite) or alert (assertive) region. */
export function alert(severity: Severity, body: SafeHtml | string, options: { live?: 'status' | 'alert'; heading?: string; attrs?: Attributes } = {}): SafeHtml {
  return html`<div class="ds-alert" data-color="${severity}"${options.live ? html` role="${options.live}"` : ''}${options.attrs ?? ''}>${options.heading ? html`<h2 class="ds-heading" data-size="xs">${options.heading}</h2>` : ''}${typeof body === 'string' ? html`<p class="ds-paragraph">${body}</p>` : body}</div>`;
}

/** A card: a bordered block for one item of a list (a step, a path). `tag` is its element. */
export function card(body: SafeHtml, options: { tag?: 'div' | 'li' | 'section' | 'article'; variant?: 'default' | 'tinted'; color?: 'accent' | 'neutral' | 'success'; attrs?: Attributes } = {}): SafeHtml {
  const tag = options.tag ?? 'div';
  const open = html`class="ds-card" data-variant="${options.variant ?? 'default'}"${options.color ? html` data-color="${options.color}"` : ''}${options.attrs ?? ''}`;
  return new SafeHtml(`<${tag} ${open.value}>\n${body.value}\n</${tag}>`);
}

export interface Crumb {
  label: string;
  href: string;
}

/** Breadcrumbs: the trail of pages above this one. */
export function breadcrumbs(label: string, crumbs: readonly Crumb[]): SafeHtml {
  if (crumbs.length === 0) return html``;
  return html`<nav class="ds-breadcrumbs" aria-label="${label}" data-breadcrumbs>
<ol>${crumbs.map((c) => html`<li><a class="ds-link" href="${c.href}">${c.label}</a></li>`)}</ol>
</nav>`;
}

export interface Tab {
  href: string;
  label: string;
  current: boolean;
  attrs?: Attributes;
}

/**
 * Tabs between the views of one thing (a path's steps, versions, exports). Each tab is a link to its
 * own page, so they work without JavaScript; the current one is the selected tab.
 */
export function tabs(label: string, items: readonly Tab[]): SafeHtml {
  return html`<div class="ds-tabs" data-size="sm" data-tabs>
<div role="tablist" aria-label="${label}">${items.map((tab) => html`<a role="tab" href="${tab.href}" aria-selected="${tab.current ? 'true' : 'false'}"${tab.attrs ?? ''}>${tab.label}</a>`)}</div>
</div>`;
}

export interface PaginationOptions {
  label: string;
  previous: string;
  next: string;
  current: number;
  total: number;
  href(page: number): string;
}

/** Page numbers with previous and next, as links; the current page is marked for screen readers. */
export function pagination(options: PaginationOptions): SafeHtml {
  const { current, total } = options;
  if (total <= 1) return html``;
  const pages = pageNumbers(current, total);
  return html`<nav class="ds-pagination" aria-label="${options.label}" data-pagination>
<ul>
<li>${current > 1 ? html`<a class="ds-button" data-variant="tertiary" href="${options.href(current - 1)}" rel="prev">${options.previous}</a>` : ''}</li>
${pages.map((n) => html`<li>${n === null
    ? html`<span aria-hidden="true">…</span>`
    : html`<a class="ds-button" data-variant="${n === current ? 'primary' : 'tertiary'}" href="${options.href(n)}"${n === current ? html` aria-current="page"` : ''}>${n}</a>`}</li>`)}
<li>${current < total ? html`<a class="ds-button" data-variant="tertiary" href="${options.href(current + 1)}" rel="next">${options.next}</a>` : ''}</li>
</ul>
</nav>`;
}

/** At most seven entries: the first, the last, the current with its neighbours, gaps as null. */
export function pageNumbers(current: number, total: number): (number | null)[] {
  if (total <= 7) return Array.from({ length: total }, (_, i) => i + 1);
  const from = Math.max(2, Math.min(current - 1, total - 4));
  const to = Math.min(total - 1, Math.max(current + 1, 5));
  const middle = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return [1, ...(from > 2 ? [null] : []), ...middle, ...(to < total - 1 ? [null] : []), total];
}

export interface Column {
  label: string;
  /** A sortable column: the GET form's submit value for sorting by it, and how it is sorted now. */
  sort?: { value: string; direction: 'ascending' | 'descending' | 'none' };
  numeric?: boolean;
}

export interface TableOptions {
  /** The accessible name of the scrolling region (and the caption when `caption` is set). */
  label: string;
  caption?: boolean;
  columns: readonly Column[];
  rows: readonly { cells: readonly (SafeHtml | string | number)[]; attrs?: Attributes }[];
  /** The id of the GET form whose `sort` button a sortable column header is. */
  sortForm?: string;
  sortName?: string;
  /** The first cell of each row names the row (a version number, a person). */
  rowHeader?: boolean;
  attrs?: Attributes;
}

/**
 * A table in a scrolling region (narrow screens scroll it sideways, not the page). A sortable column's
 * header is a submit button of a GET form (`sortForm`), so sorting works without JavaScript.
 */
export function table(options: TableOptions): SafeHtml {
  const header = (c: Column) => {
    const numeric = c.numeric ? html` data-numeric` : '';
    if (!c.sort || !options.sortForm) return html`<th scope="col"${numeric}>${c.label}</th>`;
    return html`<th scope="col" aria-sort="${c.sort.direction}"${numeric}><button type="submit" form="${options.sortForm}" name="${options.sortName ?? 'sort'}" value="${c.sort.value}">${c.label}</button></th>`;
  };
  return html`<div class="app-table-scroll" role="region" aria-label="${options.label}" tabindex="0">
<table class="ds-table" data-border data-zebra${options.attrs ?? ''}>
${options.caption ? html`<caption>${options.label}</caption>` : ''}
<thead><tr>${options.columns.map(header)}</tr></thead>
<tbody>${options.rows.map((row) => html`<tr${row.attrs ?? ''}>${row.cells.map((cell, i) => {
    const numeric = options.columns[i]?.numeric ? html` data-numeric` : '';
    return i === 0 && options.rowHeader ? html`<th scope="row"${numeric}>${cell}</th>` : html`<td${numeric}>${cell}</td>`;
  })}</tr>`)}</tbody>
</table>
</div>`;
}

/** Facts as a description list (label, value), laid out by the shared stylesheet. */
export function facts(items: readonly (readonly [string, SafeHtml | string, Attributes?])[]): SafeHtml {
  return html`<dl class="app-facts">${items.map(([term, value, attrs]) => html`<dt>${term}</dt><dd${attrs ?? ''}>${value}</dd>`)}</dl>`;
}
