import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { crossCheck, definitionSchema, stepSchema, type PathDefinition, type Step, type StepInput } from './definition.js';
import { PathError } from './errors.js';
import { findVisiblePath, insertPath, loadPublishedVersion, type PathSummary } from './paths.js';

type Settings = Partial<Omit<PathDefinition, 'steps'>>;
export type NewStep = Omit<StepInput, 'id'> & { id?: never };
export type StepChanges = Partial<Pick<Step, 'title' | 'required' | 'requires' | 'estimatedMinutes'>> & { config?: unknown };

function validate(candidate: unknown, forPublishing: boolean): PathDefinition {
  const parsed = definitionSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new PathError('invalid-definition', 'the path definition is not valid',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const problems = crossCheck(parsed.data, forPublishing);
  if (problems.length > 0) throw new PathError('invalid-definition', 'the path definition is not valid', problems);
  return parsed.data;
}

/** The owner's draft, for editing or previewing. */
export async function getDraft(db: Kysely<Schema>, tenantId: string, pathId: string): Promise<PathDefinition> {
  const row = await db
    .selectFrom('path_versions')
    .select('definition')
    .where('tenant_id', '=', tenantId)
    .where('path_id', '=', pathId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  if (!row) throw new PathError('path-not-found', 'no such path of this tenant');
  return definitionSchema.parse(row.definition);
}

/** The path's draft row, locked until the transaction ends; a path of another tenant is not found. */
async function lockDraft(trx: Transaction<Schema>, tenantId: string, pathId: string): Promise<{ id: string; definition: unknown }> {
  const row = await trx
    .selectFrom('path_versions')
    .select(['id', 'definition'])
    .where('tenant_id', '=', tenantId)
    .where('path_id', '=', pathId)
    .where('status', '=', 'draft')
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new PathError('path-not-found', 'no such path of this tenant');
  return row;
}

/** Applies `change` to the draft under a row lock, validates the result and stores it. */
async function changeDraft(db: Kysely<Schema>, tenantId: string, pathId: string, change: (draft: PathDefinition) => unknown): Promise<PathDefinition> {
  return db.transaction().execute(async (trx) => {
    const row = await lockDraft(trx, tenantId, pathId);
    const next = validate(change(definitionSchema.parse(row.definition)), false);
    const now = new Date();
    await trx.updateTable('path_versions').set({ definition: JSON.stringify(next), updated_at: now }).where('id', '=', row.id).execute();
    await trx
      .updateTable('paths')
      .set({ title: next.title, description: next.description, language: next.language, updated_at: now })
      .where('id', '=', pathId)
      .execute();
    return next;
  });
}

/** Title, description, language, completion and score rules, due date, granted competences. */
export function updateDraftSettings(db: Kysely<Schema>, tenantId: string, pathId: string, settings: Settings): Promise<PathDefinition> {
  return changeDraft(db, tenantId, pathId, (draft) => ({ ...draft, ...settings, steps: draft.steps }));
}

/** Adds a step (at the end, or at `position`) with a new id that it keeps in every later version. */
export async function addStep(db: Kysely<Schema>, tenantId: string, pathId: string, step: NewStep, position?: number): Promise<string> {
  const id = randomUUID();
  await changeDraft(db, tenantId, pathId, (draft) => {
    const steps: unknown[] = [...draft.steps];
    steps.splice(position ?? steps.length, 0, { ...step, id });
    return { ...draft, steps };
  });
  return id;
}

/** Changes a step's title, flags, prerequisites or configuration; its type never changes, so
 *  progress recorded under its id keeps its meaning. */
export async function editStep(db: Kysely<Schema>, tenantId: string, pathId: string, stepId: string, changes: StepChanges): Promise<void> {
  await changeDraft(db, tenantId, pathId, (draft) => {
    const index = draft.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw new PathError('step-not-found', 'no such step in the draft');
    const current = draft.steps[index]!;
    const next = stepSchema.safeParse({ ...current, ...changes, id: current.id, type: current.type });
    if (!next.success) {
      throw new PathError('invalid-definition', 'the step is not valid', next.error.issues.map((i) => ({ path: `steps.${index}.${i.path.join('.')}`, message: i.message })));
    }
    return { ...draft, steps: draft.steps.map((s, i) => (i === index ? next.data : s)) };
  });
}

/** Puts the steps in the given order; the list must name every step exactly once. */
export async function reorderSteps(db: Kysely<Schema>, tenantId: string, pathId: string, stepIds: readonly string[]): Promise<void> {
  await changeDraft(db, tenantId, pathId, (draft) => {
    const byId = new Map(draft.steps.map((s) => [s.id, s]));
    if (stepIds.length !== draft.steps.length || new Set(stepIds).size !== stepIds.length || !stepIds.every((id) => byId.has(id))) {
      throw new PathError('invalid-definition', 'the new order must name every step of the draft once');
    }
    return { ...draft, steps: stepIds.map((id) => byId.get(id)!) };
  });
}

/** Removes a step; refused while another step requires it or the rules name it. */
export async function removeStep(db: Kysely<Schema>, tenantId: string, pathId: string, stepId: string): Promise<void> {
  await changeDraft(db, tenantId, pathId, (draft) => {
    if (!draft.steps.some((s) => s.id === stepId)) throw new PathError('step-not-found', 'no such step in the draft');
    return { ...draft, steps: draft.steps.filter((s) => s.id !== stepId) };
  });
}

/** Freezes the draft as the next published version; the draft stays for further editing. */
export async function publish(db: Kysely<Schema>, tenantId: string, pathId: string, publishedBy: string): Promise<{ versionId: string; number: number }> {
  return db.transaction().execute(async (trx) => {
    const draft = await lockDraft(trx, tenantId, pathId);
    const publisher = await trx.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', publishedBy).executeTakeFirst();
    if (!publisher) throw new PathError('person-not-found', 'the publisher is not a person of this tenant');
    const definition = validate(draft.definition, true);
    const last = await trx
      .selectFrom('path_versions')
      .select((eb) => eb.fn.max('number').as('number'))
      .where('path_id', '=', pathId)
      .executeTakeFirst();
    const number = (last?.number ?? 0) + 1;
    const version = await trx
      .insertInto('path_versions')
      .values({ tenant_id: tenantId, path_id: pathId, status: 'published', number, definition: JSON.stringify(definition),
        published_at: new Date(), published_by: publishedBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('paths').set({ updated_at: new Date() }).where('id', '=', pathId).execute();
    return { versionId: version.id, number };
  });
}

/**
 * Copies a path the tenant may see into a new path of its own, as a draft: the owner copies its
 * draft, another tenant the newest published version. Step ids are kept (they are unique per path).
 */
export async function duplicatePath(
  db: Kysely<Schema>,
  tenantId: string,
  pathId: string,
  createdBy: string,
  title?: string,
): Promise<PathSummary> {
  const source = await findVisiblePath(db, tenantId, pathId);
  if (!source) throw new PathError('path-not-found', 'no such path visible to this tenant');
  let definition: PathDefinition;
  if (source.tenantId === tenantId) definition = await getDraft(db, tenantId, pathId);
  else if (source.latestVersion) definition = (await loadPublishedVersion(db, source.latestVersion.id)).definition;
  else throw new PathError('path-not-found', 'no such path visible to this tenant');
  const copy = validate({ ...definition, title: title ?? definition.title }, false);
  return db.transaction().execute(async (trx) => {
    const creator = await trx.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', createdBy).executeTakeFirst();
    if (!creator) throw new PathError('person-not-found', 'the creator is not a person of this tenant');
    return insertPath(trx, tenantId, createdBy, 'tenant', copy);
  });
}
