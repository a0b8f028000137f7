import { jwtVerify, SignJWT } from 'jose';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Schema } from '../db/schema.js';
import { LtiRefusal } from './refusal.js';
import { derivedKey } from './secret-box.js';
import { toolEndpoints } from './tool-config.js';

const INVITE_ISSUER = 'laeringslop/registration-invite';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type InviteState = 'open' | 'used' | 'revoked' | 'expired';

export interface RegistrationInvite {
  id: string;
  tenantId: string;
  tenantName: string;
  createdAt: Date;
  expiresAt: Date;
  state: InviteState;
  usedAt: Date | null;
  /** The platform it registered: issuer and client id. */
  usedBy: { issuer: string; clientId: string } | null;
}

/** An invitation whose signature verified and which is still open. */
export interface OpenedInvite {
  id: string;
  tenantId: string;
}

const signingKey = (secret: string) => derivedKey(secret, 'lti-registration-invite');

/**
 * A dynamic-registration URL for one tenant: a signed token naming a stored invitation, so only an
 * operator can make one (the id alone is not enough) and each registers one platform.
 */
export async function createRegistrationInvite(
  db: Kysely<Schema>,
  config: Pick<Config, 'publicUrl' | 'keyEncryptionSecret'>,
  tenantId: string,
  days: number,
): Promise<{ id: string; url: string; expiresAt: Date }> {
  const hours = Math.max(1, Math.round(days * 24));
  const expiresAt = new Date(Date.now() + hours * 3_600_000);
  const { id } = await db.insertInto('lti_registration_invites').values({ tenant_id: tenantId, expires_at: expiresAt }).returning('id').executeTakeFirstOrThrow();
  const token = await new SignJWT({ ten: tenantId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(INVITE_ISSUER)
    .setJti(id)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(signingKey(config.keyEncryptionSecret));
  return { id, url: `${toolEndpoints(config.publicUrl).registerUrl}?invite=${token}`, expiresAt };
}

/** Verifies an invitation and checks that it is still open; refuses otherwise. Consumes nothing. */
export async function openRegistrationInvite(db: Kysely<Schema>, secret: string, token: string): Promise<OpenedInvite> {
  let id: string;
  try {
    const { payload } = await jwtVerify(token, signingKey(secret), { issuer: INVITE_ISSUER, algorithms: ['HS256'] });
    id = String(payload.jti ?? '');
  } catch (error) {
    throw new LtiRefusal('not-permitted', `registration invitation refused: ${(error as Error).message}`);
  }
  // Invitations signed before they were stored carry no id: they could be replayed, so they no longer count.
  if (!UUID.test(id)) throw new LtiRefusal('invite-unusable', 'registration invitation without a stored id (issued before single use)');
  const row = await db.selectFrom('lti_registration_invites').select(['tenant_id', 'expires_at', 'revoked_at', 'used_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LtiRefusal('invite-unusable', `registration invitation ${id} is not stored`);
  const state = inviteState(row, new Date());
  if (state !== 'open') throw new LtiRefusal('invite-unusable', `registration invitation ${id} is ${state}`);
  return { id, tenantId: row.tenant_id };
}

/** An invitation that can still register a platform: not used, not revoked, not expired. */
function isOpen(eb: ExpressionBuilder<Schema, 'lti_registration_invites'>) {
  return eb.and([eb('used_at', 'is', null), eb('revoked_at', 'is', null), eb('expires_at', '>', eb.fn<Date>('now'))]);
}

/**
 * Uses up an invitation for the platform it registered; false when it was used, revoked or expired
 * in the meantime. Call it in the transaction that saves the platform, so that a failed save leaves
 * the invitation open and two registrations racing on one invitation save one platform.
 */
export async function consumeRegistrationInvite(trx: Kysely<Schema>, id: string, platform: { issuer: string; clientId: string }): Promise<boolean> {
  const used = await trx
    .updateTable('lti_registration_invites')
    .set((eb) => ({ used_at: eb.fn<Date>('now'), used_by_issuer: platform.issuer, used_by_client_id: platform.clientId }))
    .where('id', '=', id)
    .where(isOpen)
    .returning('id')
    .executeTakeFirst();
  return used !== undefined;
}

function inviteState(row: { expires_at: Date; revoked_at: Date | null; used_at: Date | null }, now: Date): InviteState {
  if (row.used_at) return 'used';
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'open';
}

/** Invitations, newest first; without `all`, only the open ones. */
export async function listRegistrationInvites(db: Kysely<Schema>, options: { all: boolean }): Promise<RegistrationInvite[]> {
  const now = new Date();
  const rows = await db
    .selectFrom('lti_registration_invites as i')
    .innerJoin('tenants as t', 't.id', 'i.tenant_id')
    .select(['i.id', 'i.tenant_id', 't.name as tenant_name', 'i.created_at', 'i.expires_at', 'i.revoked_at', 'i.used_at', 'i.used_by_issuer', 'i.used_by_client_id'])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      tenantName: r.tenant_name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      state: inviteState(r, now),
      usedAt: r.used_at,
      usedBy: r.used_by_issuer ? { issuer: r.used_by_issuer, clientId: r.used_by_client_id ?? '' } : null,
    }))
    .filter((invite) => options.all || invite.state === 'open');
}

/**
 * Revokes an invitation that is still open. Returns its state afterwards: 'revoked' (now or
 * before), or 'used' / 'expired' when it can no longer be revoked, or 'unknown'.
 */
export async function revokeRegistrationInvite(db: Kysely<Schema>, id: string): Promise<Exclude<InviteState, 'open'> | 'unknown'> {
  if (!UUID.test(id)) return 'unknown';
  const revoked = await db
    .updateTable('lti_registration_invites')
    .set((eb) => ({ revoked_at: eb.fn<Date>('now') }))
    .where('id', '=', id)
    .where(isOpen)
    .returning('id')
    .executeTakeFirst();
  if (revoked) return 'revoked';
  const row = await db.selectFrom('lti_registration_invites').select(['expires_at', 'revoked_at', 'used_at']).where('id', '=', id).executeTakeFirst();
  if (!row) return 'unknown';
  const state = inviteState(row, new Date());
  // Open by the clock here but not by the database's: it expired in between.
  return state === 'open' ? 'expired' : state;
}
