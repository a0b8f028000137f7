/** A statement or request that breaks an xAPI rule: `path` names the property, `reason` the rule. */
export class XapiInvalid extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = 'XapiInvalid';
  }
}

export function fail(path: string, reason: string): never {
  throw new XapiInvalid(path, reason);
}
