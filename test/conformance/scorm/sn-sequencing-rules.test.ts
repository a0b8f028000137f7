import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentImportError } from '../../../src/content/import-errors.js';
import { launchableItems, type PackageManifest } from '../../../src/content/manifest-model.js';
import { parseManifest } from '../../../src/content/manifest-parser.js';
import type { RuleCondition } from '../../../src/content/sequencing-model.js';
import { buildActivityTree, type ScoTracking } from '../../../src/scorm/sequencing/activity-tree.js';
import { choiceRefusal, deliveryRefusal, entryActivity, flowTarget, navigationView, startTarget } from '../../../src/scorm/sequencing/navigation.js';
import { checkActivity, conditionHolds, preConditionHolds } from '../../../src/scorm/sequencing/rules.js';
import { FIXTURES_DIR } from '../../content/support/package-zip.js';

// SCORM 2004 4th edition SN: the subset of IMS Simple Sequencing the runtime enforces (docs/content.md).
const FIXTURE = path.join(FIXTURES_DIR, 'scorm2004-sequencing');
const SCOS = ['intro', 'laering', 'prove', 'oppsummering', 'ekstra', 'arkiv'];

function fixtureManifest(): PackageManifest {
  const xml = fs.readFileSync(path.join(FIXTURE, 'imsmanifest.xml'), 'utf8');
  return parseManifest(xml, new Set([...SCOS.map((s) => `${s}/index.html`), 'sco.js']));
}

const done = (over: Partial<ScoTracking> = {}): ScoTracking => ({ attemptCount: 1, attemptOpen: false, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9, ...over });

function tree(tracking: Record<string, ScoTracking> = {}, manifest = fixtureManifest()) {
  return buildActivityTree(manifest, new Set(launchableItems(manifest).map((i) => i.id)), new Map(Object.entries(tracking)));
}

describe('SN manifest parsing (CAM 4th ed. imsss:sequencing)', () => {
  it('reads control modes, precondition rules, limit conditions and resolves sequencingCollection IDRefs', () => {
    const manifest = fixtureManifest();
    const org = manifest.organizations[0]!;
    expect(org.sequencing?.controlMode).toEqual({ choice: true, choiceExit: true, flow: true, forwardOnly: false });
    const [intro, laering, modul, ekstra, arkiv] = org.items;
    expect(intro!.sequencing?.preConditionRules).toEqual([
      {
        combination: 'any',
        conditions: [
          { condition: 'completed', not: false, referencedObjective: null, measureThreshold: 0 },
          { condition: 'satisfied', not: false, referencedObjective: null, measureThreshold: 0 },
        ],
        action: 'skip',
      },
    ]);
    expect(laering!.sequencing?.preConditionRules[0]).toMatchObject({ combination: 'all', conditions: [{ condition: 'completed', not: true }], action: 'stopForwardTraversal' });
    // The module takes its controlMode from the collection.
    expect(modul!.sequencing?.controlMode).toEqual({ choice: true, choiceExit: true, flow: true, forwardOnly: true });
    // The test takes attemptLimit from the collection, and its own objectives replace the collection's.
    const prove = modul!.children[0]!;
    expect(prove.sequencing).toMatchObject({ attemptLimit: 1, primaryObjectiveId: 'prove-bestatt' });
    expect(prove.scaledPassingScore).toBe(0.8);
    expect(ekstra!.sequencing?.preConditionRules[0]).toMatchObject({ action: 'hiddenFromChoice', conditions: [{ condition: 'always' }] });
    expect(arkiv!.sequencing?.preConditionRules[0]).toMatchObject({ action: 'disabled' });
    // No sequencing at all: SN defaults (choice allowed, flow not).
    expect(modul!.children[1]!.sequencing).toBeNull();
  });

  const minimal = (sequencing: string, collection = '') => `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>K</title>
    <item identifier="a" identifierref="r"><title>A</title>${sequencing}</item>
  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="a.html"><file href="a.html"/></resource></resources>
  ${collection}
</manifest>`;
  const refusal = (xml: string) => {
    try {
      parseManifest(xml, new Set(['a.html']));
    } catch (error) {
      return error instanceof ContentImportError ? error.technical : String(error);
    }
    return undefined;
  };

  it('refuses an IDRef that names nothing, an unknown condition or action, and a bad attempt limit, naming the item', () => {
    expect(refusal(minimal('<imsss:sequencing IDRef="nope"/>'))).toMatch(/item 'a'.*'nope'.*sequencingCollection/);
    const rule = (condition: string, action: string) => `<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="${condition}"/></imsss:ruleConditions><imsss:ruleAction action="${action}"/></imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing>`;
    expect(refusal(minimal(rule('finished', 'skip')))).toMatch(/item 'a', precondition rule 1: rule condition 'finished'/);
    expect(refusal(minimal(rule('always', 'exitAll')))).toMatch(/'exitAll' is not a precondition rule action/);
    expect(refusal(minimal('<imsss:sequencing><imsss:limitConditions attemptLimit="-1"/></imsss:sequencing>'))).toMatch(/attemptLimit/);
  });

  it('records the SN elements it does not enforce', () => {
    const xml = minimal(`<imsss:sequencing><imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions><imsss:ruleAction action="retry"/></imsss:postConditionRule></imsss:sequencingRules>
      <imsss:rollupRules/><imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="g"/></imsss:primaryObjective></imsss:objectives><imsss:randomizationControls/><imsss:deliveryControls tracked="false"/></imsss:sequencing>`);
    const [item] = launchableItems(parseManifest(xml, new Set(['a.html'])));
    expect(item!.item.sequencing?.notEnforced.sort()).toEqual(['deliveryControls', 'mapInfo', 'postConditionRule', 'randomizationControls', 'rollupRules']);
  });
});

describe('SN rule conditions (UP.2.1)', () => {
  const activity = (t?: ScoTracking) => tree(t ? { 'sq-prove': t } : {}).byId.get('sq-prove')!;
  const c = (condition: RuleCondition['condition'], extra: Partial<RuleCondition> = {}): RuleCondition => ({ condition, not: false, referencedObjective: null, measureThreshold: 0, ...extra });

  it.each([
    ['satisfied', undefined, false],
    ['satisfied', done(), true],
    ['satisfied', done({ successStatus: 'failed' }), false],
    ['objectiveStatusKnown', done({ successStatus: 'unknown' }), false],
    ['objectiveStatusKnown', done({ successStatus: 'failed' }), true],
    ['objectiveMeasureKnown', done({ scoreScaled: null }), false],
    ['objectiveMeasureKnown', done(), true],
    ['completed', done({ completionStatus: 'incomplete' }), false],
    ['completed', done(), true],
    ['activityProgressKnown', undefined, false],
    ['activityProgressKnown', done({ completionStatus: 'unknown' }), false],
    ['activityProgressKnown', done({ completionStatus: 'incomplete' }), true],
    ['attempted', undefined, false],
    ['attempted', done({ completionStatus: 'unknown' }), true],
    ['attemptLimitExceeded', done({ attemptCount: 0 }), false],
    ['attemptLimitExceeded', done(), true],
    ['always', undefined, true],
    ['timeLimitExceeded', done(), false],
  ] as const)('%s with %j is %s', (condition, tracking, holds) => {
    expect(conditionHolds(activity(tracking), c(condition))).toBe(holds);
  });

  it('compares the measure with measureThreshold, and an objective other than the primary one is not known', () => {
    expect(conditionHolds(activity(done({ scoreScaled: 0.5 })), c('objectiveMeasureGreaterThan', { measureThreshold: 0.4 }))).toBe(true);
    expect(conditionHolds(activity(done({ scoreScaled: 0.5 })), c('objectiveMeasureLessThan', { measureThreshold: 0.4 }))).toBe(false);
    expect(conditionHolds(activity(done()), c('satisfied', { referencedObjective: 'prove-bestatt' }))).toBe(true);
    expect(conditionHolds(activity(done()), c('satisfied', { referencedObjective: 'et-annet-mål' }))).toBe(false);
  });

  it('combines with all / any and negates with not', () => {
    const intro = (t?: ScoTracking) => tree(t ? { 'sq-intro': t } : {}).byId.get('sq-intro')!;
    // any(completed, satisfied) → skip
    expect(preConditionHolds(intro(), 'skip')).toBe(false);
    expect(preConditionHolds(intro(done({ completionStatus: 'incomplete' })), 'skip')).toBe(true);
    expect(preConditionHolds(intro(done({ successStatus: 'unknown' })), 'skip')).toBe(true);
    expect(preConditionHolds(intro(done({ completionStatus: 'incomplete', successStatus: 'failed' })), 'skip')).toBe(false);
    const laering = (t?: ScoTracking) => tree(t ? { 'sq-laering': t } : {}).byId.get('sq-laering')!;
    // not completed → stopForwardTraversal; it holds while nothing is known
    expect(preConditionHolds(laering(), 'stopForwardTraversal')).toBe(true);
    expect(preConditionHolds(laering(done()), 'stopForwardTraversal')).toBe(false);
  });

  it('rolls a cluster up by the default rules: satisfied and completed when all children are', () => {
    const modul = (t: Record<string, ScoTracking>) => tree(t).byId.get('sq-modul')!.status;
    expect(modul({})).toMatchObject({ satisfied: null, completed: null, attemptCount: 0 });
    expect(modul({ 'sq-prove': done() })).toMatchObject({ satisfied: null, completed: null, attemptCount: 1 });
    expect(modul({ 'sq-prove': done(), 'sq-oppsummering': done({ successStatus: 'failed', completionStatus: 'incomplete' }) })).toMatchObject({ satisfied: false, completed: false });
    expect(modul({ 'sq-prove': done({ scoreScaled: 0.8 }), 'sq-oppsummering': done({ scoreScaled: 0.6 }) })).toMatchObject({ satisfied: true, completed: true, measure: 0.7 });
  });
});

describe('SN navigation (SB.2.1–2.9) and delivery checks (UP.1, UP.5)', () => {
  const ids = (t: ReturnType<typeof tree>, id: string) => t.byId.get(id)!;

  it('starts by flow at the first activity and skips it once it is done', () => {
    expect(startTarget(tree())?.id).toBe('sq-intro');
    expect(startTarget(tree({ 'sq-intro': done() }))?.id).toBe('sq-laering');
  });

  it('continue enters clusters, previous passes skipped activities and stops at a forward-only cluster', () => {
    const t = tree({ 'sq-intro': done() });
    expect(flowTarget(ids(t, 'sq-intro'), 'forward')?.id).toBe('sq-laering');
    expect(flowTarget(ids(t, 'sq-laering'), 'forward')?.id).toBe('sq-prove');
    expect(flowTarget(ids(t, 'sq-oppsummering'), 'forward')?.id).toBe('sq-ekstra');
    // The intro is done, so skipped: nothing before the learning part.
    expect(flowTarget(ids(t, 'sq-laering'), 'backward')).toBeNull();
    expect(flowTarget(ids(tree(), 'sq-laering'), 'backward')?.id).toBe('sq-intro');
    // forwardOnly on the module: no previous inside it.
    expect(flowTarget(ids(t, 'sq-oppsummering'), 'backward')).toBeNull();
    // The next activity is disabled: flow stops there, it does not pass it.
    expect(flowTarget(ids(t, 'sq-ekstra'), 'forward')).toBeNull();
  });

  it('choice: disabled, hidden from choice, stopForwardTraversal, forwardOnly', () => {
    const t = tree();
    const intro = ids(t, 'sq-intro');
    expect(choiceRefusal(intro, ids(t, 'sq-arkiv'))).toBe('disabled');
    expect(choiceRefusal(intro, ids(t, 'sq-ekstra'))).toBe('hidden-from-choice');
    expect(choiceRefusal(intro, ids(t, 'sq-laering'))).toBeNull();
    // Forward past the learning part, which is not completed.
    expect(choiceRefusal(intro, ids(t, 'sq-prove'))).toBe('stop-forward-traversal');
    expect(choiceRefusal(ids(t, 'sq-laering'), ids(t, 'sq-oppsummering'))).toBe('stop-forward-traversal');
    const after = tree({ 'sq-laering': done() });
    expect(choiceRefusal(ids(after, 'sq-intro'), ids(after, 'sq-prove'))).toBeNull();
    // Backward inside the forward-only module; backward at the root is allowed.
    expect(choiceRefusal(ids(after, 'sq-oppsummering'), ids(after, 'sq-prove'))).toBe('forward-only');
    expect(choiceRefusal(ids(after, 'sq-oppsummering'), ids(after, 'sq-intro'))).toBeNull();
  });

  it('choice: a parent without choice and a current activity without choiceExit refuse', () => {
    const manifest = fixtureManifest();
    const [, laering, modul] = manifest.organizations[0]!.items;
    modul!.sequencing = { ...modul!.sequencing!, controlMode: { choice: false, choiceExit: true, flow: true, forwardOnly: false } };
    let t = tree({}, manifest);
    expect(choiceRefusal(null, ids(t, 'sq-prove'))).toBe('choice-not-allowed');
    // …but continue from the learning part still delivers it, and choosing it from elsewhere does not.
    expect(deliveryRefusal(t, ids(t, 'sq-laering'), ids(t, 'sq-prove'))).toBeNull();
    expect(deliveryRefusal(t, ids(t, 'sq-intro'), ids(t, 'sq-prove'))).toBe('choice-not-allowed');
    laering!.sequencing = { ...laering!.sequencing!, controlMode: { choice: true, choiceExit: false, flow: false, forwardOnly: false } };
    t = tree({}, manifest);
    expect(choiceRefusal(ids(t, 'sq-laering'), ids(t, 'sq-intro'))).toBe('choice-exit');
  });

  it('attemptLimit: an ended attempt uses the one attempt, an open (suspended) one may go on', () => {
    expect(checkActivity(ids(tree({ 'sq-prove': done() }), 'sq-prove'))).toBe('attempt-limit');
    expect(checkActivity(ids(tree({ 'sq-prove': done({ attemptOpen: true }) }), 'sq-prove'))).toBeNull();
    expect(checkActivity(ids(tree(), 'sq-prove'))).toBeNull();
  });

  it('delivery: start, the current activity, continue, previous or a valid choice; nothing else', () => {
    const t = tree({ 'sq-intro': done() });
    const laering = ids(t, 'sq-laering');
    expect(deliveryRefusal(t, null, ids(t, 'sq-intro'))).toBeNull();
    expect(deliveryRefusal(t, laering, laering)).toBeNull();
    expect(deliveryRefusal(t, laering, ids(t, 'sq-prove'))).toBeNull(); // continue
    expect(deliveryRefusal(t, laering, ids(t, 'sq-oppsummering'))).toBe('stop-forward-traversal');
    expect(deliveryRefusal(t, ids(t, 'sq-oppsummering'), ids(t, 'sq-ekstra'))).toBeNull(); // flow only
    expect(deliveryRefusal(t, laering, ids(t, 'sq-ekstra'))).toBe('hidden-from-choice');
    expect(deliveryRefusal(t, laering, ids(t, 'sq-arkiv'))).toBe('disabled');
  });

  it('a manifest stored before sequencing was read plays as before: choice and flow everywhere, no rules', () => {
    const manifest = fixtureManifest();
    const strip = (items: { sequencing?: unknown; children: never[] }[]) => items.forEach((i) => { delete i.sequencing; strip(i.children); });
    delete manifest.organizations[0]!.sequencing;
    strip(manifest.organizations[0]!.items as never);
    const t = tree({ 'sq-prove': done() }, manifest);
    expect(flowTarget(ids(t, 'sq-ekstra'), 'forward')?.id).toBe('sq-arkiv');
    expect(flowTarget(ids(t, 'sq-oppsummering'), 'backward')?.id).toBe('sq-prove');
    expect(choiceRefusal(ids(t, 'sq-intro'), ids(t, 'sq-prove'))).toBeNull();
    // Without any imsss:sequencing, a manifest read now gets the SN defaults: no flow.
    const none = fixtureManifest();
    none.organizations[0]!.sequencing = null;
    expect(startTarget(tree({}, none))).toBeNull();
  });

  it('the view answers request_valid and the contents list; entry resumes an open attempt', () => {
    const t = tree({ 'sq-intro': done() });
    const view = navigationView(t, ids(t, 'sq-laering'));
    expect(view).toMatchObject({ continueTarget: 'sq-prove', previousTarget: null });
    expect(Object.fromEntries(view.choiceRefusals)).toEqual({ 'sq-prove': 'stop-forward-traversal', 'sq-oppsummering': 'stop-forward-traversal', 'sq-ekstra': 'hidden-from-choice', 'sq-arkiv': 'disabled' });
    expect([...view.hidden]).toEqual(['sq-ekstra']);
    expect(entryActivity(t, ids(t, 'sq-intro'))?.id).toBe('sq-laering');
    const suspended = tree({ 'sq-intro': done(), 'sq-laering': done({ attemptOpen: true, completionStatus: 'incomplete' }) });
    expect(entryActivity(suspended, ids(suspended, 'sq-laering'))?.id).toBe('sq-laering');
  });
});
