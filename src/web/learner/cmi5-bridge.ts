import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Cmi5Lms } from '../../cmi5/lms.js';
import { auSatisfied } from '../../cmi5/satisfaction.js';
import type { LaunchMode } from '../../cmi5/tables.js';
import { CMI5 } from '../../cmi5/vocabulary.js';
import { ausInScope, type Cmi5Au, type Cmi5Manifest } from '../../content/cmi5-model.js';
import { findPackage } from '../../content/packages.js';
import { inLanguage } from '../../content/tincan-model.js';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { Cmi5Step } from '../../paths/definition.js';
import { deliverOutcome } from '../../paths/engine.js';
import { PathError } from '../../paths/errors.js';
import { findVisiblePath, loadPublishedVersion } from '../../paths/paths.js';
import { personAccountKey } from '../../xapi/agents.js';
import type { LaunchStatementsStored } from '../../xapi/lrs/context.js';
import type { Cmi5ContentTokens } from '../cmi5/content-token.js';
import { ScormStepUnavailable, type StepAttemptRef } from './scorm-bridge.js';
import { returnPath } from './scorm-return.js';

/** The AU statements after which the step's outcome is worked out (onStatementsStored). */
const OUTCOME_VERBS: ReadonlySet<string> = new Set([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.passed]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One AU of a cmi5 step as the learner's page shows it. */
export interface Cmi5AuView {
  readonly id: string;
  readonly title: string;
  readonly launchMethod: Cmi5Au['launchMethod'];
  readonly satisfied: boolean;
}

export interface Cmi5BridgeOptions {
  readonly publicUrl: string;
  /** CONTENT_ORIGIN, or '' when content is served on the tool's own origin. */
  readonly contentBase: string;
}

/** A learner's languages for cmi5LearnerPreferences (§11.1): the page's first, then the others we speak. */
function languagesFor(locale: string): string[] {
  const tags: Record<string, string[]> = { nb: ['nb-NO', 'nn-NO', 'en-GB'], nn: ['nn-NO', 'nb-NO', 'en-GB'], en: ['en-GB', 'nb-NO', 'nn-NO'] };
  return tags[locale] ?? tags['nb']!;
}

/**
 * Joins cmi5 steps to the paths engine. Each cmi5 step of an enrolment has one registration
 * (cmi5_registrations) for as long as the enrolment lasts; each AU launch is a session in it. When
 * every AU the step covers has met its moveOn, the step gets its one outcome (keyed by the
 * registration, so it counts once however often it is delivered).
 */
export class Cmi5StepBridge {
  constructor(
    private readonly db: Kysely<Schema>,
    readonly lms: Cmi5Lms,
    private readonly tokens: Cmi5ContentTokens,
    private readonly logger: Logger,
    private readonly options: Cmi5BridgeOptions,
  ) {}

  async #package(ref: StepAttemptRef, step: Cmi5Step): Promise<Cmi5Manifest> {
    const packageId = step.config.packageId;
    if (!UUID.test(packageId) || !(await findVisiblePath(this.db, ref.tenantId, ref.pathId))) {
      throw new ScormStepUnavailable(`package ${packageId} of path ${ref.pathId} is not available to tenant ${ref.tenantId}`);
    }
    const found = await findPackage(this.db, ref.ownerTenantId, packageId);
    if (!found || found.manifest.standard !== 'cmi5') throw new ScormStepUnavailable(`cmi5 package ${packageId} not found`);
    return found.manifest;
  }

  /** The step's AUs and what is satisfied of them. */
  async aus(ref: StepAttemptRef, step: Cmi5Step, locale: string): Promise<Cmi5AuView[]> {
    const manifest = await this.#package(ref, step);
    const registration = await this.#openRegistration(ref.tenantId, ref.enrolmentId, step.id);
    const achieved = new Map<string, { completed: boolean; passed: boolean; waived: boolean }>();
    if (registration) {
      const rows = await this.db.selectFrom('cmi5_registration_results').selectAll().where('registration', '=', registration).execute();
      for (const r of rows) achieved.set(r.node_id, { completed: r.completed_at !== null, passed: r.passed_at !== null, waived: r.waived_at !== null });
    }
    return ausInScope(manifest, step.config.nodeId).map((au) => ({
      id: au.id, title: inLanguage(au.title, locale) ?? au.id, launchMethod: au.launchMethod, satisfied: registration !== undefined && auSatisfied(au, achieved),
    }));
  }

  async #openRegistration(tenantId: string, enrolmentId: string, stepId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('cmi5_registrations').select('registration')
      .where('tenant_id', '=', tenantId).where('enrolment_id', '=', enrolmentId).where('step_id', '=', stepId).where('closes_at', 'is', null).executeTakeFirst();
    return row?.registration;
  }

  /** The step's registration, made at the first launch (§9.6.1: moveOn is evaluated then). */
  async #registration(ref: StepAttemptRef, step: Cmi5Step): Promise<string> {
    const current = await this.db.selectFrom('cmi5_registrations').select(['registration', 'package_id'])
      .where('tenant_id', '=', ref.tenantId).where('enrolment_id', '=', ref.enrolmentId).where('step_id', '=', step.id).where('closes_at', 'is', null).executeTakeFirst();
    if (current?.package_id === step.config.packageId) return current.registration;
    if (current) {
      // The step names another package now (a newer version): that registration is over.
      await this.db.updateTable('cmi5_registrations').set({ closes_at: new Date() }).where('registration', '=', current.registration).execute();
    }
    const inserted = await this.db.insertInto('cmi5_registrations')
      .values({ registration: randomUUID(), tenant_id: ref.tenantId, enrolment_id: ref.enrolmentId, person_id: ref.personId, step_id: step.id, package_id: step.config.packageId, package_tenant_id: ref.ownerTenantId })
      .onConflict((oc) => oc.doNothing()).returning('registration').executeTakeFirst();
    const registration = inserted?.registration ?? (await this.#openRegistration(ref.tenantId, ref.enrolmentId, step.id));
    if (!registration) throw new ScormStepUnavailable('the step registration vanished');
    if (inserted) await this.lms.satisfy(ref.tenantId, registration);
    return registration;
  }

  /** Where the AU is opened: the package's file on the content origin, or its own site when the designer allowed that origin. */
  async #auUrl(tenantId: string, packageTenantId: string, step: Cmi5Step, au: Cmi5Au, holder: string): Promise<string> {
    if (au.external) {
      if (!step.config.allowedOrigins.includes(new URL(au.url).origin)) throw new ScormStepUnavailable(`the origin of AU ${au.id} (${au.url}) is not allowed by the step`);
      return au.url;
    }
    const token = await this.tokens.sign({ tenantId, packageId: step.config.packageId, packageTenantId, enrolmentId: holder, stepId: step.id });
    const cut = au.url.search(/[?#]/);
    const file = cut < 0 ? au.url : au.url.slice(0, cut);
    const query = cut < 0 ? '' : au.url.slice(cut).split('#')[0]!;
    return `${this.options.contentBase || this.options.publicUrl}/content/cmi5/${token}/files/${file.split('/').map(encodeURIComponent).join('/')}${query}`;
  }

  /**
   * Launches one AU of the step (§8.1) and returns the URL to open. A learner launches in Normal
   * mode, or in Review mode an AU they have satisfied (§10.2.2: Review looks back at finished work).
   */
  async open(ref: StepAttemptRef, step: Cmi5Step, locale: string, auId: string, launchMode: 'Normal' | 'Review' = 'Normal'): Promise<{ url: string; launchMethod: Cmi5Au['launchMethod'] }> {
    const manifest = await this.#package(ref, step);
    const au = ausInScope(manifest, step.config.nodeId).find((a) => a.id === auId);
    if (!au) throw new ScormStepUnavailable(`AU ${auId} is not part of step ${step.id}`);
    if (launchMode === 'Review') {
      const views = await this.aus(ref, step, locale);
      if (!views.find((v) => v.id === au.id)?.satisfied) throw new ScormStepUnavailable(`AU ${au.id} is not satisfied yet: it cannot be reviewed`);
    }
    const auUrl = await this.#auUrl(ref.tenantId, ref.ownerTenantId, step, au, ref.enrolmentId);
    const registration = await this.#registration(ref, step);
    const launch = await this.#launch(ref.tenantId, ref.personId, registration, step, manifest, au, launchMode, auUrl, `${this.options.publicUrl}${returnPath(ref.enrolmentId, step.id)}?lang=${locale}`, locale);
    return { url: launch.url, launchMethod: au.launchMethod };
  }

  /**
   * A designer's preview of an AU of a draft's cmi5 step in Browse or Review mode (§10.2.2): a
   * registration of the designer's own that belongs to no enrolment, so nothing the AU does reaches
   * the paths engine, and the LRS takes only initialized and terminated from it.
   */
  async preview(designer: { tenantId: string; personId: string }, step: Cmi5Step, locale: string, auId: string, launchMode: 'Browse' | 'Review', returnPath: string): Promise<{ url: string; launchMethod: Cmi5Au['launchMethod'] }> {
    const packageId = step.config.packageId;
    const found = UUID.test(packageId) ? await findPackage(this.db, designer.tenantId, packageId) : undefined;
    if (found?.manifest.standard !== 'cmi5') throw new ScormStepUnavailable(`cmi5 package ${packageId} not found`);
    const au = ausInScope(found.manifest, step.config.nodeId).find((a) => a.id === auId);
    if (!au) throw new ScormStepUnavailable(`AU ${auId} is not part of step ${step.id}`);
    const auUrl = await this.#auUrl(designer.tenantId, designer.tenantId, step, au, `preview:${designer.personId}`);
    const open = await this.db.selectFrom('cmi5_registrations').select('registration')
      .where('tenant_id', '=', designer.tenantId).where('person_id', '=', designer.personId).where('step_id', '=', step.id).where('package_id', '=', packageId)
      .where('enrolment_id', 'is', null).where('closes_at', 'is', null).executeTakeFirst();
    const registration = open?.registration ?? randomUUID();
    if (!open) {
      await this.db.insertInto('cmi5_registrations').values({ registration, tenant_id: designer.tenantId, enrolment_id: null, person_id: designer.personId, step_id: step.id, package_id: packageId, package_tenant_id: designer.tenantId }).execute();
    }
    const launch = await this.#launch(designer.tenantId, designer.personId, registration, step, found.manifest, au, launchMode, auUrl, `${this.options.publicUrl}${returnPath}`, locale);
    return { url: launch.url, launchMethod: au.launchMethod };
  }

  #launch(tenantId: string, personId: string, registration: string, step: Cmi5Step, manifest: Cmi5Manifest, au: Cmi5Au, launchMode: LaunchMode, auUrl: string, returnUrl: string, locale: string) {
    const actor = { objectType: 'Agent' as const, account: { homePage: this.options.publicUrl, name: personId } };
    return this.lms.launch({
      tenantId, registration, actor, actorKey: personAccountKey(this.options.publicUrl, personId), packageId: step.config.packageId, manifest, au, launchMode,
      auUrl, returnUrl, languages: languagesFor(locale),
    });
  }

  /** Called by the LRS after a cmi5 session's AU stored statements. */
  async onStatementsStored(stored: LaunchStatementsStored): Promise<void> {
    if (stored.cmi5SessionId === undefined) return;
    const registration = await this.lms.recordStatements(stored.tenantId, stored.cmi5SessionId, stored.statements);
    // Of an AU's statements only completed and passed can satisfy it, and initialized is the first
    // of a session (an AU with moveOn NotApplicable is satisfied from the start, §9.6.1): the other
    // statements cannot change the step's outcome. A delivery lost is made again on the learner's
    // next page view (heal()).
    if (!registration || !stored.verbIds.some((verb) => OUTCOME_VERBS.has(verb))) return;
    try {
      await this.deliver(stored.tenantId, registration);
    } catch (error) {
      this.logger.error({ err: error, registration }, 'cmi5 outcome could not be delivered; it is tried again on the next page view');
    }
  }

  /** Delivers the step's outcome once every AU it covers is satisfied. */
  async deliver(tenantId: string, registration: string): Promise<'not-a-step' | 'delivered' | 'not-satisfied' | 'waits-for-prerequisites'> {
    const row = await this.db.selectFrom('cmi5_registrations as r').innerJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
      .select(['e.id as enrolment_id', 'r.step_id', 'r.package_id', 'r.package_tenant_id', 'e.version_id'])
      .where('r.tenant_id', '=', tenantId).where('r.registration', '=', registration).executeTakeFirst();
    if (!row) return 'not-a-step';
    const version = await loadPublishedVersion(this.db, row.version_id);
    const step = version.definition.steps.find((s) => s.id === row.step_id);
    if (step?.type !== 'cmi5' || step.config.packageId !== row.package_id) return 'not-a-step';
    const found = await findPackage(this.db, row.package_tenant_id, row.package_id);
    if (found?.manifest.standard !== 'cmi5') return 'not-a-step';
    const results = await this.db.selectFrom('cmi5_registration_results').selectAll().where('registration', '=', registration).execute();
    const achieved = new Map(results.map((r) => [r.node_id, { completed: r.completed_at !== null, passed: r.passed_at !== null, waived: r.waived_at !== null }]));
    const aus = ausInScope(found.manifest, step.config.nodeId);
    if (aus.length === 0 || !aus.every((au) => auSatisfied(au, achieved))) return 'not-satisfied';
    const scores = results.filter((r) => r.score !== null && aus.some((au) => au.id === r.node_id)).map((r) => Number(r.score));
    const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : undefined;
    try {
      await deliverOutcome(this.db, tenantId, {
        enrolmentId: row.enrolment_id, stepId: step.id, idempotencyKey: `cmi5:${registration}`,
        outcome: { kind: 'cmi5', packageId: row.package_id, satisfied: true, ...(mean !== undefined ? { scoreScaled: mean } : {}) },
      });
    } catch (error) {
      if (error instanceof PathError && error.code === 'prerequisites-not-met') return 'waits-for-prerequisites';
      throw error;
    }
    return 'delivered';
  }

  /** Heals deliveries lost between a stored statement and the engine, for the enrolment's registrations. */
  async heal(tenantId: string, enrolmentId: string): Promise<void> {
    const rows = await this.db.selectFrom('cmi5_registrations').select('registration')
      .where('tenant_id', '=', tenantId).where('enrolment_id', '=', enrolmentId).where('closes_at', 'is', null).execute();
    for (const row of rows) {
      try {
        await this.deliver(tenantId, row.registration);
      } catch (error) {
        this.logger.error({ err: error, registration: row.registration }, 'cmi5 outcome could not be delivered; it is tried again on the next page view');
      }
    }
  }
}
