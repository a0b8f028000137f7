import type { AccessTables } from '../access/tables.js';
import type { AuditTables } from '../audit/tables.js';
import type { CertificateTables } from '../certificates/tables.js';
import type { Cmi5Tables } from '../cmi5/tables.js';
import type { CompetenceTables } from '../competence/tables.js';
import type { ContentTables } from '../content/tables.js';
import type { DevLmsTables } from '../dev-lms/tables.js';
import type { LtiTables } from '../lti/tables.js';
import type { MailTables } from '../mail/tables.js';
import type { HrImportTables } from '../organisation/hr-import/tables.js';
import type { OrganisationTables } from '../organisation/tables.js';
import type { PathTables } from '../paths/tables.js';
import type { PeopleTables } from '../people/tables.js';
import type { PrivacyTables } from '../privacy/tables.js';
import type { ScormTables } from '../scorm/tables.js';
import type { TenantTables } from '../tenants/tables.js';
import type { XapiEmissionTables } from '../xapi/emission/tables.js';
import type { XapiForwardingTables } from '../xapi/forwarding/tables.js';
import type { XapiTables } from '../xapi/tables.js';

interface MigrationTables {
  schema_migrations: { name: string; checksum: string; applied_at: Date };
}

/** Every table, as the query builder sees it; each capability declares its own tables. */
export interface Schema
  extends MigrationTables,
    TenantTables,
    PeopleTables,
    LtiTables,
    DevLmsTables,
    XapiTables,
    XapiForwardingTables,
    XapiEmissionTables,
    ContentTables,
    ScormTables,
    PathTables,
    OrganisationTables,
    HrImportTables,
    AuditTables,
    CompetenceTables,
    CertificateTables,
    AccessTables,
    PrivacyTables,
    MailTables,
    Cmi5Tables {}
