import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { fieldKind, many, one, type FormValues } from './forms.js';
import { fieldError, td } from './messages.js';

/** What a form is rendered from: the values to show and the problems per field id. */
export interface FormState {
  locale: Locale;
  values: FormValues;
  /** Field id → message; '' for problems that belong to no field. */
  errors: ReadonlyMap<string, string>;
}

export function formState(locale: Locale, values: FormValues, problemFields: Iterable<string> = []): FormState {
  const errors = new Map<string, string>();
  for (const field of problemFields) errors.set(field, fieldError(locale, fieldKind(field) || 'generic'));
  return { locale, values, errors };
}

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(' ') || undefined;

function errorLine(state: FormState, id: string): SafeHtml | '' {
  const message = state.errors.get(id);
  return message ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${td(state.locale, 'form.errors')}: </span>${message}</p>` : '';
}

/** The summary at the top of a form with errors; each entry links to its field. */
export function errorSummary(state: FormState, labels: Readonly<Record<string, string>>): SafeHtml | '' {
  if (state.errors.size === 0) return '';
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-error-summary>
<h2 id="error-summary-title">${td(state.locale, 'form.errors')}</h2>
<p>${td(state.locale, 'form.errors.intro')}</p>
<ul>${[...state.errors].map(([id, message]) =>
    id ? html`<li><a href="#${id}">${labels[id] ?? labels[id.replace(/-\d+-/, '-')] ?? id}: ${message}</a></li>` : html`<li>${message}</li>`)}</ul>
</div>`;
}

export interface InputOptions {
  type?: 'text' | 'number' | 'url' | 'date' | 'time';
  hint?: string;
  optional?: boolean;
  inputmode?: 'numeric' | 'decimal';
  min?: number;
  max?: number;
  step?: string;
  autocomplete?: string;
  wide?: boolean;
}

export function input(state: FormState, id: string, label: string, options: InputOptions = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const hint = options.hint ? `${id}-hint` : undefined;
  return html`<div class="field${invalid ? ' field-invalid' : ''}">
<label for="${id}">${label}${options.optional ? html` <span class="muted">(${td(state.locale, 'form.optional')})</span>` : ''}</label>
${options.hint ? html`<p class="hint" id="${hint}">${options.hint}</p>` : ''}
${errorLine(state, id)}
<input id="${id}" name="${id}" type="${options.type ?? 'text'}" value="${one(state.values, id)}"${options.inputmode ? html` inputmode="${options.inputmode}"` : ''}${options.min !== undefined ? html` min="${options.min}"` : ''}${options.max !== undefined ? html` max="${options.max}"` : ''}${options.step ? html` step="${options.step}"` : ''} autocomplete="${options.autocomplete ?? 'off'}"${options.wide ? html` class="wide"` : ''}${invalid ? html` aria-invalid="true"` : ''}${describedBy(hint, invalid && `${id}-error`) ? html` aria-describedby="${describedBy(hint, invalid && `${id}-error`)}"` : ''}>
</div>`;
}

export function textarea(state: FormState, id: string, label: string, options: { hint?: string; optional?: boolean; rows?: number } = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const hint = options.hint ? `${id}-hint` : undefined;
  return html`<div class="field${invalid ? ' field-invalid' : ''}">
<label for="${id}">${label}${options.optional ? html` <span class="muted">(${td(state.locale, 'form.optional')})</span>` : ''}</label>
${options.hint ? html`<p class="hint" id="${hint}">${options.hint}</p>` : ''}
${errorLine(state, id)}
<textarea id="${id}" name="${id}" rows="${options.rows ?? 4}"${invalid ? html` aria-invalid="true"` : ''}${describedBy(hint, invalid && `${id}-error`) ? html` aria-describedby="${describedBy(hint, invalid && `${id}-error`)}"` : ''}>${one(state.values, id)}</textarea>
</div>`;
}

export function select(state: FormState, id: string, label: string, choices: readonly { value: string; label: string }[], options: { hint?: string; placeholder?: string } = {}): SafeHtml {
  const invalid = state.errors.has(id);
  const hint = options.hint ? `${id}-hint` : undefined;
  const current = one(state.values, id);
  return html`<div class="field${invalid ? ' field-invalid' : ''}">
<label for="${id}">${label}</label>
${options.hint ? html`<p class="hint" id="${hint}">${options.hint}</p>` : ''}
${errorLine(state, id)}
<select id="${id}" name="${id}"${invalid ? html` aria-invalid="true"` : ''}${describedBy(hint, invalid && `${id}-error`) ? html` aria-describedby="${describedBy(hint, invalid && `${id}-error`)}"` : ''}>
${options.placeholder !== undefined ? html`<option value="">${options.placeholder}</option>` : ''}
${choices.map((c) => html`<option value="${c.value}"${c.value === current ? html` selected` : ''}>${c.label}</option>`)}
</select>
</div>`;
}

/** Radio buttons or checkboxes in a fieldset; the fieldset carries the id the error summary links to. */
export function choiceGroup(
  state: FormState,
  id: string,
  legend: string,
  choices: readonly { value: string; label: string }[],
  options: { multiple?: boolean; hint?: string; empty?: string; name?: string } = {},
): SafeHtml {
  const name = options.name ?? id;
  const invalid = state.errors.has(id);
  const selected = options.multiple ? many(state.values, name) : [one(state.values, name)];
  const hint = options.hint ? `${id}-hint` : undefined;
  const described = describedBy(hint, invalid && `${id}-error`);
  return html`<fieldset id="${id}" class="field choices${invalid ? ' field-invalid' : ''}" tabindex="-1"${described ? html` aria-describedby="${described}"` : ''}>
<legend>${legend}</legend>
${options.hint ? html`<p class="hint" id="${hint}">${options.hint}</p>` : ''}
${errorLine(state, id)}
${choices.length === 0 && options.empty ? html`<p class="muted">${options.empty}</p>` : ''}
${choices.map((c, i) => html`<div class="choice"><input type="${options.multiple ? 'checkbox' : 'radio'}" id="${id}-${i}" name="${name}" value="${c.value}"${selected.includes(c.value) ? html` checked` : ''}${invalid ? html` aria-invalid="true"` : ''}><label for="${id}-${i}">${c.label}</label></div>`)}
</fieldset>`;
}

/**
 * Enter in a field submits with the form's first submit button (HTML's implicit submission). A form
 * whose secondary button (“Flere rader”) comes first in the page starts with this copy of its primary
 * one, so Enter saves: out of sight and out of the tab order; the visible primary button is the one
 * people and assistive technology use.
 */
export function defaultAction(label: string): SafeHtml {
  // No name: a submission without `action` is a save, and tests and scripts that look for the
  // visible button by its value find only that one.
  return html`<button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true" data-default-action>${label}</button>`;
}

/** Hidden fields every designer form carries: the launch session and the chosen language. */
export function carried(token: string, lang: string | undefined): SafeHtml {
  return html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`;
}
