import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { CLAIM } from './claims.js';
import type { Platform } from './platforms.js';
import { LtiRefusal } from './refusal.js';
import { derivedKey } from './secret-box.js';
import type { ToolKeys } from './tool-keys.js';

/** Something a designer can place in a course. */
export interface LinkableItem {
  id: string;
  title: string;
  description: string;
  /** Shown in the picker only, to tell items of the same title apart (owner, version, date); never sent to the platform. */
  details?: string;
}

/** What the tool must remember between the deep-linking request and the designer's choice. */
export interface DeepLinkContext {
  platformId: string;
  deploymentId: string;
  returnUrl: string;
  data: string | undefined;
  personId: string;
}

const DL_ISSUER = 'laeringslop/deep-link';

export class DeepLinking {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    private readonly toolKeys: ToolKeys,
  ) {
    this.#key = derivedKey(secret, 'lti-deep-link');
  }

  /** Seals the request's settings into the picker form (no cookies in an iframe). */
  sealContext(context: DeepLinkContext): Promise<string> {
    return new SignJWT({ ...context })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(DL_ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(this.#key);
  }

  async openContext(token: string): Promise<DeepLinkContext> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: DL_ISSUER, algorithms: ['HS256'] });
      return payload as unknown as DeepLinkContext;
    } catch (error) {
      throw new LtiRefusal('session-invalid', `deep-linking context refused: ${(error as Error).message}`);
    }
  }

  /**
   * The LtiDeepLinkingResponse (Deep Linking 2.0 §4.2): signed with the tool's key, iss = client id,
   * aud = platform issuer, one ltiResourceLink with the path's custom parameter and a line item.
   */
  async response(platform: Platform, context: DeepLinkContext, item: LinkableItem, launchUrl: string): Promise<string> {
    const { kid, key } = await this.toolKeys.signingKey();
    const contentItem = {
      type: 'ltiResourceLink',
      title: item.title,
      text: item.description,
      url: launchUrl,
      custom: { laeringslop_path: item.id },
      lineItem: { scoreMaximum: 100, label: item.title, resourceId: item.id, tag: 'laeringslop-path' },
    };
    return new SignJWT({
      nonce: randomUUID(),
      [CLAIM.messageType]: 'LtiDeepLinkingResponse',
      [CLAIM.version]: '1.3.0',
      [CLAIM.deploymentId]: context.deploymentId,
      [CLAIM.contentItems]: [contentItem],
      ...(context.data !== undefined ? { [CLAIM.deepLinkingData]: context.data } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setAudience(platform.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  }
}
