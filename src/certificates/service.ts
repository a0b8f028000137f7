import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { osloDate } from '../oslo-date.js';
import type { Locale } from '../web/i18n.js';
import type { CertificateKeys } from './certificate-keys.js';
import { certificateHolder, certificateStanding, findCertificate, issueDueCertificates, listPersonCertificates, type Certificate, type Standing } from './certificates.js';
import { certificateCredentialJwt, certificateUrls } from './credential.js';
import { certificateLook, renderKursbevis } from './kursbevis-pdf.js';
import type { VerifierDeps } from './verification.js';

export interface CertificateWithStanding {
  readonly certificate: Certificate;
  readonly standing: Standing;
}

/** Certificates as the pages use them: issue what is due, list, render, sign. */
export class Certificates {
  readonly verifier: VerifierDeps;

  constructor(
    readonly db: Kysely<Schema>,
    readonly keys: CertificateKeys,
    readonly publicUrl: string,
  ) {
    this.verifier = { db, keys, publicUrl };
  }

  get urls() {
    return certificateUrls(this.publicUrl);
  }

  /** The person's certificates, newest first, issuing those due first. */
  async listFor(tenantId: string, personId: string): Promise<CertificateWithStanding[]> {
    await issueDueCertificates(this.db, tenantId, personId);
    const onDate = osloDate();
    const certificates = await listPersonCertificates(this.db, tenantId, personId);
    return Promise.all(certificates.map(async (certificate) => ({ certificate, standing: await certificateStanding(this.db, certificate, onDate) })));
  }

  /** A certificate of this person in this tenant, or undefined (whoever else's it is). */
  async findOf(tenantId: string, personId: string, certificateId: string): Promise<Certificate | undefined> {
    const certificate = await findCertificate(this.db, certificateId);
    return certificate && certificate.tenantId === tenantId && certificate.personId === personId ? certificate : undefined;
  }

  async pdf(certificate: Certificate, locale: Locale): Promise<Buffer> {
    const [standing, holder, look] = await Promise.all([certificateStanding(this.db, certificate), certificateHolder(this.db, certificate.personId), certificateLook(this.db, certificate.tenantId)]);
    return renderKursbevis({ certificate, standing, holder, locale, look, verifyUrl: this.urls.verify(certificate.code), verifyPage: `${this.publicUrl}/verify` });
  }

  credentialJwt(certificate: Certificate): Promise<string> {
    return certificateCredentialJwt(this.db, certificate, this.publicUrl, this.keys);
  }
}

/** A download's file name: the kind and the code, nothing personal. */
export function certificateFileName(certificate: Certificate, extension: 'pdf' | 'json'): string {
  return `${certificate.kind === 'path-completion' ? 'kursbevis' : 'kompetansebevis'}-${certificate.code}.${extension}`;
}
