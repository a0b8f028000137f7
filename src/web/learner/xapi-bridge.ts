import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findPackage } from '../../content/packages.js';
import type { TinCanManifest } from '../../content/tincan-model.js';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { XapiStep } from '../../paths/definition.js';
import { deliverOutcome } from '../../paths/engine.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath, loadPublishedVersion } from '../../paths/paths.js';
import { findPerson } from '../../people/people.js';
import { personAccountKey } from '../../xapi/agents.js';
import type { TinCanContentTokens } from '../../xapi/content-token.js';
import { closeLaunchRegistration, LaunchClosedError, type LaunchCredentials } from '../../xapi/launch-credentials.js';
import { launchOutcomeStatements, OUTCOME_VERBS } from '../../xapi/launch-outcomes.js';
import type { LaunchStatementsStored } from '../../xapi/lrs/context.js';
import { ScormStepUnavailable, type StepAttemptRef } from './scorm-bridge.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface XapiBridgeOptions {
  /** PUBLIC_URL: the LRS endpoint and the home page of learners' accounts. */
  readonly publicUrl: string;
  /** CONTENT_ORIGIN, or '' when content is served on the tool's own origin. */
  readonly contentBase: string;
  /**
   * How long a registration stays open after its outcome completed the step, for what the course
   * sends last (a `completed` after `passed`, `terminated`, the final state). Default 10 minutes.
   */
  readonly closeAfterMs?: number;
  readonly now?: () => number;
}

/**
 * Joins xAPI courses (tincan.xml packages) to the paths engine. Each xAPI step of an enrolment has
 * a registration (path_xapi_registrations), reused on every launch until the step is completed —
 * so the course's State documents, kept per actor and registration, resume it. Each launch gets a
 * fresh launch credential. The statements about the course activity in the registration with a
 * verb that decides (completed, passed, failed) are delivered to the engine keyed by statement id:
 * a statement counts once, whatever is sent again, and a delivery lost in a crash is made again
 * from the LRS on the next statement or page view.
 */
export class XapiStepBridge {
  readonly #closeAfterMs: number;
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly credentials: LaunchCredentials,
    private readonly tokens: TinCanContentTokens,
    private readonly logger: Logger,
    private readonly options: XapiBridgeOptions,
  ) {
    this.#closeAfterMs = options.closeAfterMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Opens the step's registration (a new one when none is open) and returns the player's URL with the launch parameters. */
  async open(ref: StepAttemptRef, step: XapiStep, locale: string): Promise<string> {
    const packageId = step.config.packageId;
    if (!UUID.test(packageId) || !(await findVisiblePath(this.db, ref.tenantId, ref.pathId))) {
      throw new ScormStepUnavailable(`package ${packageId} of path ${ref.pathId} is not available to tenant ${ref.tenantId}`);
    }
    const found = await findPackage(this.db, ref.ownerTenantId, packageId);
    if (!found || found.manifest.standard !== 'xapi') throw new ScormStepUnavailable(`xAPI package ${packageId} not found`);
    const manifest = found.manifest;
    const person = await findPerson(this.db, ref.tenantId, ref.personId);
    if (!person) throw new ScormStepUnavailable('the learner is not a person of this tenant');
    const actor = { objectType: 'Agent', ...(person.name ? { name: person.name } : {}), account: { homePage: this.options.publicUrl, name: person.id } };
    let registration = await this.#registration(ref, step.id, packageId);
    let grant;
    try {
      grant = await this.#issue(ref, registration, actor, manifest);
    } catch (error) {
      if (!(error instanceof LaunchClosedError)) throw error;
      registration = await this.#registration(ref, step.id, packageId);
      grant = await this.#issue(ref, registration, actor, manifest);
    }
    const token = await this.tokens.sign({
      tenantId: ref.tenantId, packageId, packageTenantId: ref.ownerTenantId, credentialId: grant.credentialId, enrolmentId: ref.enrolmentId, stepId: step.id,
    });
    // Rustici's "Tin Can launch" parameters (launch.md): the player passes them on to the course.
    const launch = new URLSearchParams({
      lang: locale,
      endpoint: `${this.options.publicUrl}/xapi/`,
      auth: grant.auth,
      actor: JSON.stringify(actor),
      registration,
      activity_id: manifest.courseActivityId,
      // launch.md: the learner's language, as an Accept-Language header would give it.
      'Accept-Language': locale,
    });
    return `${this.options.contentBase}/content/tincan/${token}/player?${launch.toString()}`;
  }

  #issue(ref: StepAttemptRef, registration: string, actor: { account: { homePage: string; name: string } }, manifest: TinCanManifest) {
    return this.credentials.issue({
      tenantId: ref.tenantId,
      actorKey: personAccountKey(actor.account.homePage, actor.account.name),
      registration,
      courseActivityId: manifest.courseActivityId,
      activityIds: manifest.activities.map((a) => a.id),
    });
  }

  /** The step's open registration, or a new one (the first of two concurrent first launches wins). */
  async #registration(ref: StepAttemptRef, stepId: string, packageId: string): Promise<string> {
    const open = () => this.db
      .selectFrom('path_xapi_registrations')
      .select(['registration', 'package_id'])
      .where('tenant_id', '=', ref.tenantId)
      .where('enrolment_id', '=', ref.enrolmentId)
      .where('step_id', '=', stepId)
      .where('closes_at', 'is', null)
      .executeTakeFirst();
    const current = await open();
    if (current?.package_id === packageId) return current.registration;
    if (current) {
      // The step names another package now (a newer version): that attempt is over.
      await this.#close(ref.tenantId, current.registration, new Date(this.#now()));
    }
    const inserted = await this.db
      .insertInto('path_xapi_registrations')
      .values({ registration: randomUUID(), enrolment_id: ref.enrolmentId, step_id: stepId, tenant_id: ref.tenantId, package_id: packageId, package_tenant_id: ref.ownerTenantId })
      .onConflict((oc) => oc.doNothing())
      .returning('registration')
      .executeTakeFirst();
    const registration = inserted?.registration ?? (await open())?.registration;
    if (!registration) throw new ScormStepUnavailable('the step registration vanished');
    return registration;
  }

  async #close(tenantId: string, registration: string, at: Date): Promise<void> {
    await this.db.updateTable('path_xapi_registrations').set({ closes_at: at }).where('tenant_id', '=', tenantId).where('registration', '=', registration).where('closes_at', 'is', null).execute();
    await closeLaunchRegistration(this.db, tenantId, registration, at);
  }

  /** Called by the LRS after a launch credential stored statements: delivers when one could decide. */
  async onStatementsStored(stored: LaunchStatementsStored): Promise<void> {
    if (!stored.verbIds.some((verb) => verb in OUTCOME_VERBS)) return;
    try {
      await this.deliverStored(stored.tenantId, stored.registration);
    } catch (error) {
      this.logger.error({ err: error, registration: stored.registration }, 'xapi outcome could not be delivered; it is tried again on the next statement or page view');
    }
  }

  /** Delivers every deciding statement of the registration not delivered yet (receipts make repeats free). */
  async deliverStored(tenantId: string, registration: string): Promise<'not-a-step' | 'delivered' | 'nothing-to-deliver' | 'waits-for-prerequisites'> {
    const row = await this.db
      .selectFrom('path_xapi_registrations as r')
      .innerJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
      .select(['r.enrolment_id', 'r.step_id', 'r.package_id', 'r.package_tenant_id', 'r.closes_at', 'e.version_id', 'e.person_id'])
      .where('r.tenant_id', '=', tenantId)
      .where('r.registration', '=', registration)
      .executeTakeFirst();
    if (!row) return 'not-a-step';
    const version = await loadPublishedVersion(this.db, row.version_id);
    const step = version.definition.steps.find((s) => s.id === row.step_id);
    if (step?.type !== 'xapi' || step.config.packageId !== row.package_id) return 'nothing-to-deliver';
    const found = await findPackage(this.db, row.package_tenant_id, row.package_id);
    if (!found || found.manifest.standard !== 'xapi') return 'nothing-to-deliver';
    const statements = await launchOutcomeStatements(this.db, {
      tenantId, registration, actorKey: personAccountKey(this.options.publicUrl, row.person_id), courseActivityId: found.manifest.courseActivityId,
    });
    if (statements.length === 0) return 'nothing-to-deliver';
    let completed = false;
    for (const statement of statements) {
      try {
        const result = await deliverOutcome(this.db, tenantId, {
          enrolmentId: row.enrolment_id,
          stepId: step.id,
          idempotencyKey: `xapi:${statement.statementId}`,
          outcome: { kind: 'xapi', packageId: row.package_id, verb: statement.verb, ...(statement.scoreScaled !== undefined ? { scoreScaled: statement.scoreScaled } : {}) },
        });
        completed ||= result.stepStatus === 'completed';
      } catch (error) {
        if (error instanceof PathError && error.code === 'prerequisites-not-met') {
          this.logger.info({ registration, step: step.id }, 'xapi outcome waits for the step prerequisites');
          return 'waits-for-prerequisites';
        }
        throw error;
      }
    }
    // The step is decided: the attempt ends once what the course sends last has had time to arrive.
    if (completed && row.closes_at === null) await this.#close(tenantId, registration, new Date(this.#now() + this.#closeAfterMs));
    return 'delivered';
  }

  /** Heals deliveries lost between a stored statement and the engine, for the enrolment's open registrations. */
  async heal(tenantId: string, enrolmentId: string): Promise<void> {
    const rows = await this.db
      .selectFrom('path_xapi_registrations')
      .select('registration')
      .where('tenant_id', '=', tenantId)
      .where('enrolment_id', '=', enrolmentId)
      .where('closes_at', 'is', null)
      .execute();
    for (const row of rows) {
      try {
        await this.deliverStored(tenantId, row.registration);
      } catch (error) {
        this.logger.error({ err: error, registration: row.registration }, 'xapi outcome could not be delivered; it is tried again on the next statement or page view');
      }
    }
  }

  /** Keeps a long session's credential alive (the player calls it while the course is open). */
  renew(tenantId: string, credentialId: string): Promise<boolean> {
    return this.credentials.renew(tenantId, credentialId);
  }
}
