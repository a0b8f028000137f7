import { describe, expect, it } from 'vitest';
import type { ScormStep } from '../../src/paths/definition.js';
import type { StepProgress } from '../../src/paths/enrolments.js';
import { outcomeSection, returnCookie, returnSession, scormStepOutcome } from '../../src/web/learner/scorm-return.js';

const step = (completion: ScormStep['config']['completion']): ScormStep => ({
  id: '00000000-0000-4000-8000-000000000001',
  type: 'scorm',
  title: 'Brannvern',
  required: true,
  requires: [],
  config: { packageId: 'p', completion },
});
const progress = (status: StepProgress['status'], score: number | null): StepProgress => ({
  stepId: '00000000-0000-4000-8000-000000000001', type: 'scorm', title: 'Brannvern', required: true, status, score, recommended: false,
});

describe('what a SCORM step came to, as the path says on the way back from the player', () => {
  it('passed with its score, failed against the pass mark, completed, and not finished', () => {
    expect(scormStepOutcome(step({ rule: 'passed' }), progress('completed', 0.85), 'passed', 80)).toEqual({ kind: 'passed', score: 85, passMark: 80 });
    expect(scormStepOutcome(step({ rule: 'passed' }), progress('in-progress', 0.4), 'failed', 80)).toEqual({ kind: 'failed', score: 40, passMark: 80 });
    expect(scormStepOutcome(step({ rule: 'completed' }), progress('completed', null), 'unknown', null)).toEqual({ kind: 'completed', score: null, passMark: null });
    expect(scormStepOutcome(step({ rule: 'completed' }), progress('in-progress', null), null, null).kind).toBe('incomplete');
    // The step's own minimum score is a pass mark whatever the SCO says of success.
    expect(scormStepOutcome(step({ rule: 'score', minimumScaled: 0.8 }), progress('in-progress', 0.6), 'unknown', 80).kind).toBe('failed');
    expect(scormStepOutcome(step({ rule: 'score', minimumScaled: 0.8 }), progress('completed', 0.9), 'unknown', 80).kind).toBe('passed');
  });

  it('says it in bokmål, nynorsk and English', () => {
    const text = (locale: 'nb' | 'nn' | 'en', outcome: Parameters<typeof outcomeSection>[2]) => /<p class="ds-paragraph">(.*)<\/p>/.exec(outcomeSection(locale, 'Brannvern', outcome).value)?.[1];
    expect(text('nb', { kind: 'passed', score: 85, passMark: 80 })).toBe('Bestått med 85 %.');
    expect(text('nb', { kind: 'failed', score: 40, passMark: 80 })).toBe('Ikke bestått: 40 %, krav 80 %.');
    expect(text('nn', { kind: 'failed', score: 40, passMark: 80 })).toBe('Ikkje bestått: 40 %, krav 80 %.');
    expect(text('en', { kind: 'failed', score: 40, passMark: null })).toBe('Not passed: 40%.');
    expect(text('nb', { kind: 'incomplete', score: null, passMark: null })).toMatch(/^Kurset er ikke fullført ennå\./);
    expect(outcomeSection('nn', 'Brannvern', { kind: 'completed', score: null, passMark: null }).value).toContain('Du er tilbake frå «Brannvern»');
  });

  it('keeps the session in a cookie for one enrolment\'s return URL only, out of scripts\' reach', () => {
    const enrolmentId = '11111111-2222-4333-8444-555555555555';
    const cookie = returnCookie(enrolmentId, 'token.value.sig');
    expect(cookie).toBe(`lr_11111111222243338444555555555555=token.value.sig; Max-Age=3600; Path=/learn/return/${enrolmentId}; HttpOnly; Secure; SameSite=Lax`);
    expect(returnSession(`a=b; ${cookie.split(';')[0]}`, enrolmentId)).toBe('token.value.sig');
    expect(returnSession(cookie.split(';')[0], '99999999-2222-4333-8444-555555555555')).toBeUndefined();
  });
});
