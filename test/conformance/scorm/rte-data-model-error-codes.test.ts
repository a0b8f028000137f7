import { describe, expect, it } from 'vitest';
import { checkElement, LONG_TEXT_ELEMENTS, LONG_TEXT_LIMIT, SUSPEND_DATA_LIMIT } from '../../../src/scorm/cmi-model.js';

// SCORM 1.2 RTE §3.3.2 / §3.4 and SCORM 2004 RTE §3.1.7 / §4.2: the server refuses what the
// content may not write with the error code the content expects.
describe('SCORM 1.2 data model (RTE 3.4)', () => {
  const check = (element: string, value: string) => checkElement('scorm12', element, value);
  it.each([
    ['cmi.core.lesson_status', 'passed'],
    ['cmi.core.lesson_status', 'not attempted'],
    ['cmi.core.score.raw', '87.5'],
    ['cmi.core.exit', 'suspend'],
    ['cmi.core.session_time', '0000:10:00'],
    ['cmi.objectives.0.status', 'failed'],
    ['cmi.interactions.12.result', 'wrong'],
    ['cmi.interactions.3.result', '0.5'],
    ['cmi.interactions.0.type', 'likert'],
    ['cmi.interactions.0.time', '13:05:09'],
    ['cmi.interactions.0.student_response', 'x'.repeat(5000)],
    ['cmi.student_preference.audio', '-1'],
  ])('accepts %s = %j', (element, value) => expect(check(element, value)).toEqual({ kind: 'writable' }));

  it.each([
    ['cmi.core.lesson_status', 'complete'],
    ['cmi.core.score.raw', '101'],
    ['cmi.core.score.raw', 'ten'],
    ['cmi.core.exit', 'normal'],
    ['cmi.core.session_time', 'ten minutes'],
    ['cmi.interactions.0.type', 'essay'],
    ['cmi.interactions.0.result', 'incorrect'],
    ['cmi.student_preference.text', '2'],
  ])('refuses %s = %j with 405', (element, value) => expect(check(element, value)).toMatchObject({ kind: 'error', errorCode: 405 }));

  it('refuses an unknown element with 401 and ignores the elements the LMS owns', () => {
    expect(check('cmi.core.mood', 'x')).toMatchObject({ errorCode: 401 });
    expect(check('cmi.location', 'x')).toMatchObject({ errorCode: 401 });
    for (const element of ['cmi.core.student_id', 'cmi.core.total_time', 'cmi.core.entry', 'cmi.launch_data', 'cmi.student_data.mastery_score', 'cmi.interactions._count', 'cmi.core._children']) {
      expect(check(element, 'anything')).toEqual({ kind: 'ignored' });
    }
  });

  it(`stores suspend_data beyond 1.2's 4,096 characters up to ${SUSPEND_DATA_LIMIT}`, () => {
    expect(check('cmi.suspend_data', 'x'.repeat(SUSPEND_DATA_LIMIT))).toEqual({ kind: 'writable' });
    expect(check('cmi.suspend_data', 'x'.repeat(SUSPEND_DATA_LIMIT + 1))).toMatchObject({ errorCode: 405 });
  });
});

describe('SCORM 2004 data model (RTE 4.2)', () => {
  const check = (element: string, value: string) => checkElement('scorm2004', element, value);
  it.each([
    ['cmi.completion_status', 'incomplete'],
    ['cmi.success_status', 'passed'],
    ['cmi.exit', 'normal'],
    ['cmi.score.scaled', '-1'],
    ['cmi.score.raw', '250'],
    ['cmi.progress_measure', '0.75'],
    ['cmi.session_time', 'PT50S.21S'],
    ['cmi.location', 'kapittel-3'],
    ['cmi.interactions.0.type', 'long-fill-in'],
    ['cmi.interactions.0.result', 'incorrect'],
    ['cmi.interactions.0.timestamp', '2026-11-23T12:00:00.5+01:00'],
    ['cmi.comments_from_learner.0.comment', 'Bra kurs, æøå'],
    ['cmi.objectives.2.success_status', 'unknown'],
    ['cmi.learner_preference.audio_captioning', '-1'],
  ])('accepts %s = %j', (element, value) => expect(check(element, value)).toEqual({ kind: 'writable' }));

  it.each([
    ['cmi.score.scaled', '1.01', 407],
    ['cmi.progress_measure', '-0.1', 407],
    ['cmi.objectives.0.score.scaled', '-2', 407],
    ['cmi.completion_status', 'passed', 406],
    ['cmi.success_status', 'completed', 406],
    ['cmi.exit', 'quit', 406],
    ['cmi.score.raw', 'many', 406],
    ['cmi.interactions.0.timestamp', 'yesterday', 406],
    ['cmi.interactions.0.result', 'wrong', 406],
  ])('refuses %s = %j with %d', (element, value, code) => expect(check(element, value)).toMatchObject({ kind: 'error', errorCode: code }));

  it('refuses undefined elements with 401 and ignores the read-only ones', () => {
    expect(check('cmi.core.lesson_status', 'passed')).toMatchObject({ errorCode: 401 });
    for (const element of ['cmi.learner_id', 'cmi.entry', 'cmi.total_time', 'cmi.completion_threshold', 'cmi.scaled_passing_score', 'cmi.comments_from_lms.0.comment', 'adl.nav.request', 'cmi._version']) {
      expect(check(element, 'x')).toEqual({ kind: 'ignored' });
    }
  });
});

// SCORM's lengths for free text are smallest permitted maximums (1.2 RTE 3.4.2, 2004 RTE 4.1.3):
// the server (and the player, test/scorm/player-browser.test.ts) keeps longer, multi-line texts.
describe.each(['scorm12', 'scorm2004'] as const)('free-text elements beyond the spec lengths (%s)', (standard) => {
  const errorCode = standard === 'scorm12' ? 405 : 406;
  const elements = LONG_TEXT_ELEMENTS[standard].map((element) => element.replace(/\.n\./g, '.2.').replace(/\.n$/, '.2'));
  it.each(elements)(`stores %s up to ${LONG_TEXT_LIMIT} characters with line breaks, and refuses more`, (element) => {
    expect(checkElement(standard, element, 'Linje med æøå\n'.repeat(LONG_TEXT_LIMIT / 16).padEnd(LONG_TEXT_LIMIT, '.'))).toEqual({ kind: 'writable' });
    expect(checkElement(standard, element, 'x'.repeat(LONG_TEXT_LIMIT + 1))).toMatchObject({ kind: 'error', errorCode });
  });
});
