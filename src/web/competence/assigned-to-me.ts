import type { Kysely } from 'kysely';
import { assignmentStatus, listAssignments, whereToFind, type Assignment } from '../../competence/assignments.js';
import type { Schema } from '../../db/schema.js';
import { card, link } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { tg } from './assign-messages.js';
import { competenceName, showDay } from './assignments-web.js';

/** Where a learner finds a path they are not enrolled in: course links that open it. */
export type WhereToFind = ReadonlyMap<string, readonly { course: string | null; link: string | null }[]>;

/** The signed-in person's assignments that are still to do (open or overdue), and where to find their paths. */
export async function assignedToMe(db: Kysely<Schema>, tenantId: string, personId: string, onDate: string): Promise<{ assignments: Assignment[]; where: WhereToFind }> {
  const assignments = (await listAssignments(db, tenantId, personId)).filter((a) => {
    const status = assignmentStatus(a, onDate);
    return status === 'open' || status === 'overdue';
  });
  const where = await whereToFind(db, tenantId, assignments.filter((a) => !a.enrolmentId).map((a) => a.path.id));
  return { assignments, where };
}

/** How the learner opens a path: their enrolment when they launched it, else where its link is. */
export function openPath(locale: Locale, href: (path: string) => string, pathId: string, title: string, enrolmentId: string | null, where: WhereToFind): SafeHtml {
  if (enrolmentId) return html`<p>${link(href(`/learn/enrolments/${enrolmentId}`), tg(locale, 'learner.open', { title }), html` data-open-path="${pathId}"`)}</p>`;
  const places = where.get(pathId) ?? [];
  if (places.length === 0) return html`<p data-find-path="unknown">${tg(locale, 'learner.find.unknown')}</p>`;
  return html`<p data-find-path="${pathId}">${tg(locale, 'learner.find')}</p>
<ul class="ds-list">${places.map((p) => html`<li>${tg(locale, 'learner.find.where', { course: p.course ?? '–', link: p.link ?? title })}</li>`)}</ul>`;
}

/**
 * "Tildelt av lederen din": the paths assigned to the learner, with the due date (overdue said in
 * words, not colour only), the competence it grants, the note, and how to open the path.
 */
export function assignedSection(locale: Locale, href: (path: string) => string, assignments: readonly Assignment[], where: WhereToFind, onDate: string, id: string): SafeHtml | '' {
  if (assignments.length === 0) return '';
  return html`<section aria-labelledby="${id}" data-assigned-to-me>
<h2 id="${id}">${tg(locale, 'learner.assigned')} (${assignments.length})</h2>
<ul class="app-cards">${assignments.map((a) => {
    const overdue = assignmentStatus(a, onDate) === 'overdue';
    return card(html`<h3>${a.path.title}</h3>
${a.assignedBy === 'municipality-admin' ? html`<p>${tg(locale, 'learner.assigned.admin')}</p>` : ''}
<p>${tg(locale, 'learner.for', { competence: competenceName(locale, a.competence) })}</p>
<p data-due>${tg(locale, 'learner.due', { date: showDay(locale, a.dueOn) })}${overdue ? html` <strong data-overdue>${tg(locale, 'learner.overdue')}</strong>` : ''}</p>
${a.note ? html`<p>${tg(locale, 'learner.note', { note: a.note })}</p>` : ''}
${openPath(locale, href, a.path.id, a.path.title, a.enrolmentId, where)}`, {
      tag: 'li',
      attrs: html` data-assigned="${a.path.id}" data-status="${overdue ? 'overdue' : 'open'}"`,
    });
  })}</ul>
</section>`;
}
