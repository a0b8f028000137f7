import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/lti/ags.js';
import { mapRoles, roleName } from '../../src/lti/roles.js';
import { appendPath } from '../../src/lti/service-client.js';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

describe('LIS role mapping (LTI 1.3 Core §A.2)', () => {
  it.each([
    [[`${LIS}membership#Learner`], 'learner'],
    [['Learner'], 'learner'],
    [[`${LIS}membership#Instructor`], 'designer'],
    [['Instructor'], 'designer'],
    [[`${LIS}membership#ContentDeveloper`], 'designer'],
    [[`${LIS}membership/Instructor#TeachingAssistant`], 'learner'],
    [[`${LIS}membership#Mentor`], 'manager'],
    [[`${LIS}institution/person#Administrator`], 'admin'],
    [[`${LIS}system/person#Administrator`, `${LIS}membership#Learner`], 'admin'],
    [[`${LIS}membership#Learner`, `${LIS}membership#Instructor`], 'designer'],
    [[], 'learner'],
  ] as const)('%j → %s', (roles, expected) => {
    expect(mapRoles(roles, ['Mentor'])).toBe(expected);
  });

  it('takes the manager roles from configuration only', () => {
    expect(mapRoles([`${LIS}membership#Mentor`], [])).toBe('learner');
    expect(mapRoles([`${LIS}membership#Manager`], ['Manager'])).toBe('manager');
  });

  it('reads the leaf of full and short role names', () => {
    expect(roleName(`${LIS}membership#Learner`)).toBe('Learner');
    expect(roleName('Learner')).toBe('Learner');
    // LTI 1.1 URNs, still sent by some platforms, map the same way.
    expect(roleName('urn:lti:role:ims/lis/Instructor')).toBe('Instructor');
  });
});

describe('AGS service URLs', () => {
  it("puts /scores before Moodle's query string", () => {
    expect(appendPath('https://moodle.example/mod/lti/services.php/2/lineitems/12/lineitem?type_id=1', '/scores')).toBe(
      'https://moodle.example/mod/lti/services.php/2/lineitems/12/lineitem/scores?type_id=1',
    );
    expect(appendPath('https://canvas.example/api/lti/courses/1/line_items/5/', '/scores')).toBe('https://canvas.example/api/lti/courses/1/line_items/5/scores');
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 5000, 3600_000))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(30, 5000, 3600_000)).toBe(3600_000);
  });
});
