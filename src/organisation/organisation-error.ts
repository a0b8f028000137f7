/** Why a change to the organisation was refused; each code has a text in the admin pages' catalogue. */
export type OrganisationRefusal =
  | 'code-invalid'
  | 'code-taken'
  | 'name-invalid'
  | 'unit-not-found'
  | 'unit-ended'
  | 'parent-not-found'
  | 'parent-ended'
  | 'move-cycle'
  | 'unit-has-active-employments'
  | 'employee-number-invalid'
  | 'employee-number-taken'
  | 'person-name-missing'
  | 'email-invalid'
  | 'employee-not-found'
  | 'employment-not-found'
  | 'employment-ended'
  | 'job-title-invalid'
  | 'percentage-invalid'
  | 'date-invalid'
  | 'end-before-start';

/**
 * A refused change, naming the form field it is about (so a page can put the message beside it).
 * Nothing was written when this is thrown.
 */
export class OrganisationError extends Error {
  constructor(
    readonly code: OrganisationRefusal,
    readonly field: string,
    /** How many things stand in the way (active employments of a unit to be ended). */
    readonly count?: number,
  ) {
    super(count === undefined ? code : `${code} (${count})`);
    this.name = 'OrganisationError';
  }
}
