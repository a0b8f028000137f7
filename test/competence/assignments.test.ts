import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import {
  AssignmentNotFound,
  AssignmentRefused,
  assignmentStatus,
  assignPath,
  gapsWithPaths,
  listAssignments,
  parseDay,
  withdrawAssignment,
  type Assigner,
} from '../../src/competence/assignments.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { personRequirements } from '../../src/competence/gaps.js';
import { addRequirement } from '../../src/competence/requirements.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { publishPath } from '../learner/support.js';

const web: NewStep = { type: 'web', title: 'Film', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
const DAY = '2027-01-10';

describe('assignment status and due dates', () => {
  it('is overdue from the day after the due date, never when completed or withdrawn', () => {
    const a = { dueOn: '2027-03-01', withdrawnAt: null, completedAt: null };
    expect(assignmentStatus(a, '2027-02-28')).toBe('open');
    expect(assignmentStatus(a, '2027-03-01')).toBe('open');
    expect(assignmentStatus(a, '2027-03-02')).toBe('overdue');
    expect(assignmentStatus({ ...a, completedAt: new Date('2027-04-01T10:00:00Z') }, '2027-05-01')).toBe('completed');
    expect(assignmentStatus({ ...a, withdrawnAt: new Date('2027-02-01T10:00:00Z') }, '2027-05-01')).toBe('withdrawn');
    // Across the year's end and a leap day.
    expect(assignmentStatus({ ...a, dueOn: '2027-12-31' }, '2028-01-01')).toBe('overdue');
    expect(assignmentStatus({ ...a, dueOn: '2028-02-29' }, '2028-02-29')).toBe('open');
    expect(assignmentStatus({ ...a, dueOn: '2028-02-29' }, '2028-03-01')).toBe('overdue');
  });

  it('reads days as typed, and only days that exist', () => {
    expect(parseDay('2027-03-01')).toBe('2027-03-01');
    expect(parseDay(' 1.3.2027 ')).toBe('2027-03-01');
    expect(parseDay('29.02.2028')).toBe('2028-02-29');
    expect(parseDay('29.02.2027')).toBeUndefined();
    expect(parseDay('2027-13-01')).toBeUndefined();
    expect(parseDay('i morgen')).toBeUndefined();
  });
});

describe(`assigning paths that close competence gaps (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: OrgWorld;
  let fireId: string;
  let firePath: string;
  let otherFirePath: string;
  let otherFireStep: string;
  let hmsPath: string;
  let bergPath: string;
  const db = () => testDb.database.db;
  let manager: Assigner;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await orgWorld(db());
    manager = { role: 'manager', personId: world.people.ingrid };
    await applyCatalogueImport(db(), world.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\nFelles;hms;HMS;\n', OPERATOR);
    fireId = (await findCompetence(db(), world.as, 'brannvern'))!.id;
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory' }, OPERATOR);
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Sykepleier', mandatory: 'mandatory' }, OPERATOR);
    firePath = (await publishPath(testDb.database, world.as, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
    ({ pathId: otherFirePath, stepIds: [otherFireStep] } = (await publishPath(testDb.database, world.as, [web], { title: 'Brannvern i sykehjem', settings: { grants: [{ competence: 'Brannvern', validMonths: 12 }] } })) as { pathId: string; stepIds: [string] });
    hmsPath = (await publishPath(testDb.database, world.as, [web], { title: 'HMS', settings: { grants: [{ competence: 'hms', validMonths: null }] } })).pathId;
    bergPath = (await publishPath(testDb.database, world.berg, [web], { title: 'Brannvern i Berg', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
  });
  afterAll(async () => testDb?.dispose());

  async function refusal(promise: Promise<unknown>): Promise<Record<string, string>> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AssignmentRefused);
    return Object.fromEntries((error as AssignmentRefused).problems);
  }

  it("lists each gap with the municipality's published paths that close it", async () => {
    const requirements = await personRequirements(db(), world.as, world.people.bjorn, DAY);
    const gaps = await gapsWithPaths(db(), world.as, world.people.bjorn, requirements);
    expect(gaps.map((g) => [g.requirement.requirement.competence.code, g.requirement.status, g.paths.map((p) => p.title)])).toEqual([
      // Another municipality's path (not shared) is not offered.
      ['brannvern', 'missing', ['Brannvern for alle', 'Brannvern i sykehjem']],
    ]);
  });

  it('refuses what does not close a gap, bad and past due dates, a long note', async () => {
    const bjorn = world.people.bjorn;
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: hmsPath, due: '2027-02-01' }, manager, DAY))).toEqual({ path: 'path-not-granting' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: bergPath, due: '2027-02-01' }, manager, DAY))).toEqual({ path: 'path-not-granting' });
    // Dag (a teacher) has no fire-safety requirement: nothing to close.
    expect(await refusal(assignPath(db(), world.as, world.people.dag, { competence: fireId, path: firePath, due: '2027-02-01' }, manager, DAY))).toEqual({ competence: 'competence-not-lacking' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '' }, manager, DAY))).toEqual({ due: 'due-missing' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '30.02.2027' }, manager, DAY))).toEqual({ due: 'due-invalid' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '2027-01-09' }, manager, DAY))).toEqual({ due: 'due-past' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '2029-01-11' }, manager, DAY))).toEqual({ due: 'due-too-late' });
    expect(await refusal(assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '2027-02-01', note: 'x'.repeat(1001) }, manager, DAY))).toEqual({ note: 'note-too-long' });
    expect(await db().selectFrom('competence_assignments').select('id').execute()).toEqual([]);
  });

  it('assigns with a due date (today is allowed), once, audited; overdue from the day after', async () => {
    const bjorn = world.people.bjorn;
    const first = await assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '10.01.2027', note: '  Før sommeren  ' }, manager, DAY);
    expect(first.created).toBe(true);
    const again = await assignPath(db(), world.as, bjorn, { competence: fireId, path: firePath, due: '2027-03-01' }, manager, DAY);
    expect(again).toEqual({ id: first.id, created: false });
    const [assignment] = await listAssignments(db(), world.as, bjorn);
    expect(assignment).toMatchObject({ id: first.id, path: { id: firePath, title: 'Brannvern for alle' }, competence: { code: 'brannvern' }, dueOn: '2027-01-10', note: 'Før sommeren', assignedBy: 'manager', completedAt: null, enrolmentId: null });
    expect(assignmentStatus(assignment!, '2027-01-10')).toBe('open');
    expect(assignmentStatus(assignment!, '2027-01-11')).toBe('overdue');
    const audit = await db().selectFrom('audit_events').select(['action', 'actor_id', 'subject_person_id', 'object_id']).where('action', 'like', 'competence.assignment.%').execute();
    expect(audit).toEqual([{ action: 'competence.assignment.added', actor_id: world.people.ingrid, subject_person_id: bjorn, object_id: first.id }]);
    // Another person's listing does not show it.
    expect(await listAssignments(db(), world.as, world.people.anne)).toEqual([]);
    expect(await listAssignments(db(), world.berg, bjorn)).toEqual([]);
  });

  it('is completed by completing the path; a completed path cannot be assigned again or withdrawn', async () => {
    const anne = world.people.anne;
    const { id } = await assignPath(db(), world.as, anne, { competence: fireId, path: otherFirePath, due: '2027-02-01' }, { role: 'municipality-admin', personId: world.asAdmin }, DAY);
    const clock = { now: () => new Date('2027-01-20T09:00:00Z') };
    const { enrolmentId } = await enrol(db(), world.as, { personId: anne, pathId: otherFirePath }, clock);
    let [assignment] = await listAssignments(db(), world.as, anne);
    expect(assignment).toMatchObject({ id, enrolmentId, completedAt: null, assignedBy: 'municipality-admin' });
    await deliverOutcome(db(), world.as, { enrolmentId, stepId: otherFireStep, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } }, clock);
    [assignment] = await listAssignments(db(), world.as, anne);
    expect(assignment!.completedAt).toEqual(new Date('2027-01-20T09:00:00Z'));
    // Completed after its due date it is completed, not overdue.
    expect(assignmentStatus(assignment!, '2027-03-01')).toBe('completed');
    await withdrawAssignment(db(), world.as, anne, id, manager);
    expect((await listAssignments(db(), world.as, anne))[0]!.withdrawnAt).toBeNull();
    // The path is taken once: the gaps say so, and assigning it is refused.
    const gaps = await gapsWithPaths(db(), world.as, anne, await personRequirements(db(), world.as, anne, DAY));
    expect(gaps[0]!.paths).toContainEqual({ id: otherFirePath, title: 'Brannvern i sykehjem', completed: true });
    expect(await refusal(assignPath(db(), world.as, anne, { competence: fireId, path: otherFirePath, due: '2027-02-01' }, manager, DAY))).toEqual({ path: 'path-completed' });
  });

  it('withdraws an assignment of the person (audited once), never another person’s or municipality’s', async () => {
    const cecilie = world.people.cecilie;
    const { id } = await assignPath(db(), world.as, cecilie, { competence: fireId, path: firePath, due: '2027-02-01' }, manager, DAY);
    await expect(withdrawAssignment(db(), world.as, world.people.bjorn, id, manager)).rejects.toBeInstanceOf(AssignmentNotFound);
    await expect(withdrawAssignment(db(), world.berg, cecilie, id, manager)).rejects.toBeInstanceOf(AssignmentNotFound);
    await withdrawAssignment(db(), world.as, cecilie, id, manager);
    await withdrawAssignment(db(), world.as, cecilie, id, manager);
    expect(await listAssignments(db(), world.as, cecilie)).toEqual([]);
    const [withdrawn] = await listAssignments(db(), world.as, cecilie, { includeWithdrawn: true });
    expect(assignmentStatus(withdrawn!, '2027-03-01')).toBe('withdrawn');
    const audit = await db().selectFrom('audit_events').select('action').where('object_id', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['competence.assignment.added', 'competence.assignment.withdrawn']);
    // Withdrawn, the path can be assigned again.
    expect((await assignPath(db(), world.as, cecilie, { competence: fireId, path: firePath, due: '2027-02-01' }, manager, DAY)).created).toBe(true);
  });
});
