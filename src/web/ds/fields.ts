import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { tds } from './messages.js';

// Designsystemet's form fields (ds-field, ds-label, ds-input, ds-validation-message, ds-fieldset) and
// its error summary, rendered on the server. A refused form shows the summary at the top, each entry
// linking to its field, and each field its message, tied to the input with aria-describedby.

export type FieldValues = Record<string, string | string[] | undefined>;

/** What a form is rendered from: the values to show and the problems per field id. */
export interface FormState {
  locale: Locale;
  values: FieldValues;
  /** Field id → message; '' for problems that belong to no field. */
  errors: ReadonlyMap<string, string>;
}

function first(values: FieldValues, name: string): string {
  const value = values[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function all(values: FieldValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(' ') || undefined;

function validation(state: FormState, id: string): SafeHtml | '' {
  const message = state.errors.get(id);
  return message
    ? html`<p class="ds-validation-message" data-field="validation" id="${id}-error"><span class="ds-sr-only">${tds(state.locale, 'form.errors')}: </span>${message}</p>`
    : '';
}

function labelText(state: FormState, label: string, optional: boolean | undefined): SafeHtml {
  return html`${label}${optional ? html` <span class="app-optional">(${tds(state.locale, 'form.optional')})</span>` : ''}`;
}

function description(id: string | undefined, text: string | undefined): SafeHtml | '' {
  return text ? html`<p class="ds-paragraph" data-field="description" id="${id}">${text}</p>` : '';
}

function aria(invalid: boolean, hint: string | undefined, id: string): SafeHtml {
  const described = describedBy(hint, invalid && `${id}-error`);
  return html`${invalid ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
}

/** The summary at the top of a refused form; each entry links to its field. */
export function errorSummary(state: FormState, labels: Readonly<Record<string, string>>): SafeHtml | '' {
  if (state.errors.size === 0) return '';
  return html`<div class="ds-error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-error-summary>
<h2 class="ds-heading" data-size="xs" id="error-summary-title">${tds(state.locale, 'form.errors')}</h2>
<p class="ds-paragraph">${tds(state.locale, 'form.errors.intro')}</p>
<ul class="ds-list">${[...state.errors].map(([id, message]) =>
    id ? html`<li><a class="ds-link" href="#${id}">${labels[id] ?? labels[id.replace(/-\d+-/, '-')] ?? id}: ${message}</a></li>` : html`<li>${message}</li>`)}</ul>
</div>`;
}

export interface InputOptions {
  type?: 'text' | 'number' | 'url' | 'date' | 'time' | 'email' | 'search' | 'password';
  hint?: string;
  optional?: boolean;
  inputmode?: 'numeric' | 'decimal';
  min?: number;
  max?: number;
  step?: string;
  autocomplete?: string;
  /** As wide as the form (titles, addresses); otherwise sized to its content. */
  wide?: boolean;
  attrs?: SafeHtml;
}

export function input(state: FormState, id: string, label: string, options: InputOptions = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const hint = options.hint ? `${id}-hint` : undefined;
  return html`<div class="ds-field"${options.wide ? html` data-width="full"` : ''}>
<label class="ds-label" data-weight="medium" for="${id}">${labelText(state, label, options.optional)}</label>
${description(hint, options.hint)}
<input class="ds-input" id="${id}" name="${id}" type="${options.type ?? 'text'}" value="${first(state.values, id)}"${options.inputmode ? html` inputmode="${options.inputmode}"` : ''}${options.min !== undefined ? html` min="${options.min}"` : ''}${options.max !== undefined ? html` max="${options.max}"` : ''}${options.step ? html` step="${options.step}"` : ''} autocomplete="${options.autocomplete ?? 'off'}"${aria(invalid, hint, id)}${options.attrs ?? ''}>
${validation(state, id)}
</div>`;
}

export function textarea(state: FormState, id: string, label: string, options: { hint?: string; optional?: boolean; rows?: number; maxlength?: number; name?: string } = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const name = options.name ?? id;
  const hint = options.hint ? `${id}-hint` : undefined;
  return html`<div class="ds-field" data-width="full">
<label class="ds-label" data-weight="medium" for="${id}">${labelText(state, label, options.optional)}</label>
${description(hint, options.hint)}
<textarea class="ds-input" id="${id}" name="${name}" rows="${options.rows ?? 4}"${options.maxlength ? html` maxlength="${options.maxlength}"` : ''}${aria(invalid, hint, id)}>${first(state.values, name)}</textarea>
${validation(state, id)}
</div>`;
}

export function select(state: FormState, id: string, label: string, choices: readonly { value: string; label: string }[], options: { hint?: string; placeholder?: string; required?: boolean; name?: string; attrs?: SafeHtml } = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const hint = options.hint ? `${id}-hint` : undefined;
  const name = options.name ?? id;
  const current = first(state.values, name);
  return html`<div class="ds-field">
<label class="ds-label" data-weight="medium" for="${id}">${label}</label>
${description(hint, options.hint)}
<select class="ds-input" id="${id}" name="${name}"${options.required ? html` required` : ''}${aria(invalid, hint, id)}${options.attrs ?? ''}>
${options.placeholder !== undefined ? html`<option value="">${options.placeholder}</option>` : ''}
${choices.map((c) => html`<option value="${c.value}"${c.value === current ? html` selected` : ''}>${c.label}</option>`)}
</select>
${validation(state, id)}
</div>`;
}

/** Radio buttons or checkboxes in a fieldset; the fieldset carries the id the error summary links to. */
export function choiceGroup(
  state: FormState,
  id: string,
  legend: string,
  choices: readonly { value: string; label: string }[],
  options: { multiple?: boolean; hint?: string; empty?: string; name?: string; required?: boolean; inline?: boolean; attrs?: SafeHtml } = {},
): SafeHtml {
  const name = options.name ?? id;
  const invalid = state.errors.has(id);
  const selected = options.multiple ? all(state.values, name) : [first(state.values, name)];
  const hint = options.hint ? `${id}-hint` : undefined;
  const described = describedBy(hint, invalid && `${id}-error`);
  return html`<fieldset class="ds-fieldset" id="${id}" tabindex="-1"${described ? html` aria-describedby="${described}"` : ''}${options.attrs ?? ''}>
<legend class="ds-label" data-weight="medium">${legend}</legend>
${description(hint, options.hint)}
${choices.length === 0 && options.empty ? html`<p class="ds-paragraph">${options.empty}</p>` : ''}
<div class="app-choices"${options.inline ? html` data-inline` : ''}>${choices.map((c, i) => html`<div class="ds-field"><input class="ds-input" type="${options.multiple ? 'checkbox' : 'radio'}" id="${id}-${i}" name="${name}" value="${c.value}"${selected.includes(c.value) ? html` checked` : ''}${options.required ? html` required` : ''}${invalid ? html` aria-invalid="true"` : ''}><label class="ds-label" data-weight="regular" for="${id}-${i}">${c.label}</label></div>`)}</div>
${validation(state, id)}
</fieldset>`;
}

/** A group of fields under one legend (a section of a long form, one repeated row); `id` is what an error summary links to. */
export function fieldGroup(legend: string, body: SafeHtml, options: { id?: string; hint?: string | undefined; error?: string | undefined; nested?: boolean } = {}): SafeHtml {
  const { id } = options;
  const hint = options.hint && id ? `${id}-hint` : undefined;
  const error = options.error && id ? `${id}-error` : undefined;
  const described = describedBy(hint, error);
  return html`<fieldset class="ds-fieldset app-group"${options.nested ? html` data-nested` : ''}${id ? html` id="${id}" tabindex="-1"` : ''}${described ? html` aria-describedby="${described}"` : ''}>
<legend class="ds-heading" data-size="${options.nested ? '2xs' : 'xs'}">${legend}</legend>
${options.hint ? html`<p class="ds-paragraph" data-field="description"${hint ? html` id="${hint}"` : ''}>${options.hint}</p>` : ''}
${options.error ? html`<p class="ds-validation-message" data-field="validation"${error ? html` id="${error}"` : ''}>${options.error}</p>` : ''}
${body}
</fieldset>`;
}
