import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import type { Cmi5Step, PathDefinition, Step } from '../../paths/definition.js';
import { getDraft } from '../../paths/drafts.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath, type PathSummary } from '../../paths/paths.js';
import type { PathSharing } from '../../paths/tables.js';
import { alert } from '../ds/components.js';
import { html } from '../html.js';
import type { Locale } from '../i18n.js';
import { stepTypeName } from '../step-types.js';
import { param } from '../lti/http.js';
import { designerContext, sendDesignerPage, type Crumb, type DesignerContext } from './context.js';
import { many, type FormValues } from './forms.js';
import { td, type DesignerMessageId } from './messages.js';

/** Launches an AU of a draft's cmi5 step for its designer in Browse or Review mode (the learner capability's cmi5 bridge). */
export type Cmi5PreviewLauncher = (
  designer: { tenantId: string; personId: string }, step: Cmi5Step, locale: string, auId: string, mode: 'Browse' | 'Review', returnPath: string,
) => Promise<{ url: string; launchMethod: 'OwnWindow' | 'AnyWindow' }>;

export interface DesignerRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  /** Absent where cmi5 content is not served: the step page then offers no preview. */
  cmi5Preview?: Cmi5PreviewLauncher;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export const SHARINGS: readonly PathSharing[] = ['tenant', 'region', 'everyone'];

/** A page the designer cannot have: not found (also for paths of tenants it cannot see) or not the owner. */
export class DesignerRefusal extends Error {
  constructor(readonly status: 403 | 404) {
    super(status === 404 ? 'not found' : 'not the owner');
  }
}

/** The refusal page an error becomes, or undefined for errors that are not refusals. */
function refusalPage(error: unknown): { status: 403 | 404; key: 'notfound' | 'forbidden' | 'foreign-person' } | undefined {
  if (error instanceof DesignerRefusal) return { status: error.status, key: error.status === 404 ? 'notfound' : 'forbidden' };
  if (!(error instanceof PathError)) return undefined;
  if (['path-not-found', 'step-not-found', 'version-not-found'].includes(error.code)) return { status: 404, key: 'notfound' };
  // The session's person belongs to another municipality than the session's tenant.
  if (error.code === 'person-not-found') return { status: 403, key: 'foreign-person' };
  return undefined;
}

export type Handler = (req: Request, res: Response, ctx: DesignerContext) => Promise<void>;

export function formatDate(locale: Locale, date: Date): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(date);
}

/** A calendar day (YYYY-MM-DD) as people read it, with no time of day. */
export function formatDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

export const bodyValues = (req: Request): FormValues => (req.body ?? {}) as FormValues;

export interface DesignerKit {
  db: Kysely<Schema>;
  route(handler: Handler): (req: Request, res: Response) => Promise<void>;
  /** A path the tenant may see; another tenant's unshared path is simply not found. */
  visiblePath(ctx: DesignerContext, id: unknown): Promise<PathSummary>;
  /** A path the tenant owns: only the owner edits, publishes and reads reports. */
  ownPath(ctx: DesignerContext, id: unknown): Promise<{ path: PathSummary; draft: PathDefinition }>;
  stepOf(draft: PathDefinition, stepId: unknown): { step: Step; index: number };
  pathCrumb(ctx: DesignerContext, path: { id: string; title: string }): Crumb;
  redirect(res: Response, ctx: DesignerContext, path: string, query?: Record<string, string>): void;
  cmi5Preview: Cmi5PreviewLauncher | undefined;
}

/**
 * What the designer's pages share: the route wrapper that opens the designer's context and turns
 * refusals into pages, the lookups that decide what a designer may see or change, and links.
 */
export function designerKit({ db, sessions, cmi5Preview }: DesignerRouterDeps): DesignerKit {
  const route = (handler: Handler) => async (req: Request, res: Response) => {
    const ctx = await designerContext(req, res, db, sessions);
    try {
      await handler(req, res, ctx);
    } catch (error) {
      const refusal = refusalPage(error);
      if (!refusal) throw error;
      const { status, key } = refusal;
      sendDesignerPage(res, ctx, {
        status,
        title: td(ctx.locale, `${key}.title`),
        path: '/design',
        body: html`<div data-designer-refusal="${status}"><h1>${td(ctx.locale, `${key}.title`)}</h1>${alert('danger', td(ctx.locale, `${key}.body`))}</div>`,
      });
    }
  };

  /** A path the tenant may see; another tenant's unshared path is simply not found. */
  async function visiblePath(ctx: DesignerContext, id: unknown): Promise<PathSummary> {
    const path = isUuid(id) ? await findVisiblePath(db, ctx.session.tenantId, id) : undefined;
    if (!path || (path.tenantId !== ctx.session.tenantId && !path.latestVersion)) throw new DesignerRefusal(404);
    return path;
  }

  /** A path the tenant owns: only the owner edits, publishes and reads reports. */
  async function ownPath(ctx: DesignerContext, id: unknown): Promise<{ path: PathSummary; draft: PathDefinition }> {
    const path = await visiblePath(ctx, id);
    if (path.tenantId !== ctx.session.tenantId) throw new DesignerRefusal(403);
    return { path, draft: await getDraft(db, ctx.session.tenantId, path.id) };
  }

  function stepOf(draft: PathDefinition, stepId: unknown): { step: Step; index: number } {
    const index = draft.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw new DesignerRefusal(404);
    return { step: draft.steps[index]!, index };
  }

  const pathCrumb = (ctx: DesignerContext, path: { id: string; title: string }): Crumb => ({ label: path.title, href: ctx.href(`/design/paths/${path.id}`) });
  const redirect = (res: Response, ctx: DesignerContext, path: string, query: Record<string, string> = {}) => res.redirect(303, ctx.href(path, query));
  return { db, route, visiblePath, ownPath, stepOf, pathCrumb, redirect, cmi5Preview };
}

/** Draft only, or the newest published version; `changed` adds that the draft differs from it. */
export function statusText(locale: Locale, path: PathSummary, changed = false): string {
  if (!path.latestVersion) return td(locale, 'status.draft');
  const published = `${td(locale, 'status.published')} ${path.latestVersion.number}`;
  return changed ? `${published}; ${td(locale, 'status.changed.short')}` : published;
}

export function stepMeta(locale: Locale, step: Step, titleOf: ReadonlyMap<string, string>): string {
  const parts = [stepTypeName(locale, step.type), td(locale, step.required ? 'step.required' : 'step.optional')];
  if (step.estimatedMinutes) parts.push(`${step.estimatedMinutes} ${td(locale, 'step.minutes')}`);
  if (step.requires.length > 0) parts.push(`${td(locale, 'step.requires')}: ${step.requires.map((id) => titleOf.get(id) ?? '?').join(', ')}`);
  return parts.join(' · ');
}

/** How many numbered rows (`name-N-…`) the values hold: the highest N + 1. */
export function filledRows(values: FormValues, name: string): number {
  let rows = 0;
  for (const key of Object.keys(values)) {
    const match = new RegExp(`^${name}-(\\d+)-`).exec(key);
    if (match && (many(values, key).length > 0)) rows = Math.max(rows, Number(match[1]) + 1);
  }
  return rows;
}

export const NOTICES: readonly DesignerMessageId[] = [
  'path.created', 'settings.saved', 'step.added', 'step.saved', 'step.removed', 'step.moved', 'path.duplicated', 'path.published',
  'path.moved-learners', 'signups.saved', 'cmi5.preview.ended',
];

/** The confirmation after a redirect (?notice=…), from a fixed list: nothing from the query is shown as text. */
export function noticeText(req: Request, ctx: DesignerContext, draft?: PathDefinition): string | undefined {
  const id = param(req, 'notice') as DesignerMessageId | undefined;
  if (!id || !NOTICES.includes(id)) return undefined;
  const int = (name: string) => String(Number.parseInt(param(req, name) ?? '0', 10) || 0);
  if (id === 'step.moved') {
    const index = draft?.steps.findIndex((s) => s.id === param(req, 'step')) ?? -1;
    if (!draft || index < 0) return undefined;
    return td(ctx.locale, id, { title: draft.steps[index]!.title, position: index + 1, count: draft.steps.length });
  }
  return td(ctx.locale, id, { number: int('number'), moved: int('moved'), completed: int('completed') });
}
