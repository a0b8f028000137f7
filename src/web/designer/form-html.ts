import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import type { FormState } from '../ds/fields.js';
import { fieldKind, type FormValues } from './forms.js';
import { fieldError } from './messages.js';

// The designer's forms are Designsystemet fields (src/web/ds/fields.ts); this adds the designer's
// own field messages.
export { choiceGroup, errorSummary, fieldGroup, input, select, textarea, type FormState, type InputOptions } from '../ds/fields.js';

export function formState(locale: Locale, values: FormValues, problemFields: Iterable<string> = []): FormState {
  const errors = new Map<string, string>();
  for (const field of problemFields) errors.set(field, fieldError(locale, fieldKind(field) || 'generic'));
  return { locale, values, errors };
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
  return html`<button type="submit" class="ds-sr-only" tabindex="-1" aria-hidden="true" data-default-action>${label}</button>`;
}

/** Hidden fields every designer form carries: the launch session and the chosen language. */
export function carried(token: string, lang: string | undefined): SafeHtml {
  return html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`;
}
