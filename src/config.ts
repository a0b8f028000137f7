import path from 'node:path';
import { z } from 'zod';
import { isLoopbackHost } from './loopback.js';

/** The key-encryption secret used when none is given outside production. Refused in production. */
export const DEVELOPMENT_KEY_ENCRYPTION_SECRET = 'development-only-key-encryption-secret-not-for-production';

export type NodeEnv = 'development' | 'test' | 'production';
/**
 * Whether the development LMS is served: 'on' (asked for with DEV_LMS=on, answers anyone), 'loopback'
 * (the default outside production when PUBLIC_URL is a loopback address: answers only requests from
 * this machine) or 'off'. It can start a launch as anyone, administrators included.
 */
export type DevLmsMode = 'on' | 'loopback' | 'off';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  /** The origin (and optional base path) people and platforms reach the tool at, without a trailing slash. */
  readonly publicUrl: string;
  /** Server PostgreSQL connection string; undefined means the embedded PGlite database under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolMax: number;
  /** Plan the hottest statements once per server connection (off behind PgBouncer in transaction mode before 1.21). */
  readonly databasePreparedStatements: boolean;
  readonly dataDir: string;
  /** Secret that encrypts stored private keys (LTI tool keys and the like). */
  readonly keyEncryptionSecret: string;
  readonly logLevel: LogLevel;
  /** Largest JSON or form body the API accepts, in bytes. */
  readonly bodyLimitBytes: number;
  /** How long a graceful shutdown waits for in-flight requests before it closes connections. */
  readonly shutdownTimeoutMs: number;
  /** LIS role names (short form, e.g. Mentor) that make a launch a manager's. */
  readonly ltiManagerRoles: readonly string[];
  /** Clock difference allowed on LTI id_token exp/iat, in seconds (Moodle's tokens live 60 s). */
  readonly ltiClockSkewSeconds: number;
  /**
   * Origin that serves uploaded content (SCORM packages and their player), e.g.
   * https://innhald.laering.example.no pointing at this same service. Undefined: content is served
   * from the tool's own origin under the sandboxed path /content/ (development default; in
   * production only with CONTENT_SAME_ORIGIN=allow).
   */
  readonly contentOrigin: string | undefined;
  /**
   * A second port the service listens on, for the content origin: in development on a loopback
   * PUBLIC_URL, content is served from PORT + 1 by default so its isolation is exercised every day.
   */
  readonly contentPort: number | undefined;
  /** Largest content package upload, in bytes. */
  readonly contentUploadLimitBytes: number;
  /** Processes serving requests on the shared port (node:cluster); above 1 needs server PostgreSQL. */
  readonly workers: number;
  readonly devLms: DevLmsMode;
  /** People with no active employment and no activity for this many months are erased (docs/privacy.md). */
  readonly retentionMonths: number;
  /** SMTP for e-mail notices (SMTP_URL, or SMTP_HOST with SMTP_PORT, SMTP_USER, SMTP_PASSWORD); undefined: no e-mail. */
  readonly mail: MailConfig | undefined;
}

/** How the tool sends e-mail (assignment notices); absent: it sends none and queues none. */
export interface MailConfig {
  /** An smtp:// or smtps:// URL (user and password in it), when given as SMTP_URL. */
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The sender, e.g. "Læringsløp <laering@kommune.no>". */
  readonly from: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without query or fragment, e.g. https://laering.example.kommune.no')
  .transform((value) => value.replace(/\/+$/, ''));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// connection URL');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: integer(1, 1000).default(10),
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  KEY_ENCRYPTION_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (generate one with: openssl rand -base64 48)')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  LTI_MANAGER_ROLES: z.string().trim().default('Mentor'),
  LTI_CLOCK_SKEW_SECONDS: integer(0, 60).default(10),
  CONTENT_ORIGIN: httpUrl.optional(),
  CONTENT_SAME_ORIGIN: z.enum(['allow'], { message: 'must be allow, or unset' }).optional(),
  CONTENT_UPLOAD_LIMIT_BYTES: integer(1024, 64 * 1024 ** 3).default(2 * 1024 ** 3),
  WORKERS: integer(1, 64).default(1),
  DEV_LMS: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  RETENTION_MONTHS: integer(1, 1200).default(36),
  SMTP_URL: z.string().trim().refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@smtp.example.no:587').optional(),
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: integer(1, 65535).optional(),
  SMTP_SECURE: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_FROM: z.string().trim().min(3).max(320).optional(),
});

type Environment = Record<string, string | undefined>;

/**
 * Reads and validates the configuration. Every problem is collected, so one start names every bad
 * variable. Empty strings count as unset, as they do in most container environments.
 */
export function loadConfig(env: Environment = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .map((key) => [key, env[key]] as const)
      .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  const values = parsed.data;
  const problems: { variable: string; message: string }[] = [];

  if (values.NODE_ENV === 'production') {
    if (!values.PUBLIC_URL) problems.push({ variable: 'PUBLIC_URL', message: 'is required in production' });
    if (!values.DATABASE_URL) {
      problems.push({
        variable: 'DATABASE_URL',
        message: 'is required in production (the embedded database is for development and evaluation)',
      });
    }
    if (!values.KEY_ENCRYPTION_SECRET) {
      problems.push({ variable: 'KEY_ENCRYPTION_SECRET', message: 'is required in production' });
    } else if (values.KEY_ENCRYPTION_SECRET === DEVELOPMENT_KEY_ENCRYPTION_SECRET) {
      problems.push({
        variable: 'KEY_ENCRYPTION_SECRET',
        message: 'is the development default, which is refused in production',
      });
    }
  }
  if (values.NODE_ENV === 'production' && !values.CONTENT_ORIGIN && values.CONTENT_SAME_ORIGIN !== 'allow') {
    problems.push({
      variable: 'CONTENT_ORIGIN',
      message: "is required in production: uploaded content is untrusted JavaScript and must not run on the tool's origin " +
        '(e.g. https://innhald.laering.example.no reaching this service; CONTENT_SAME_ORIGIN=allow accepts the risk, see docs/content.md)',
    });
  }
  if (values.CONTENT_ORIGIN && values.PUBLIC_URL && new URL(values.CONTENT_ORIGIN).origin === new URL(values.PUBLIC_URL).origin) {
    problems.push({ variable: 'CONTENT_ORIGIN', message: "must be another origin than PUBLIC_URL's (another host name or port)" });
  }
  if (values.DEV_LMS === 'on' && values.NODE_ENV === 'production') {
    problems.push({ variable: 'DEV_LMS', message: 'cannot be on in production: the development LMS starts launches as anyone, administrators included' });
  }
  if (values.WORKERS > 1 && !values.DATABASE_URL) {
    problems.push({ variable: 'WORKERS', message: 'more than 1 needs DATABASE_URL: the embedded database belongs to one process' });
  }
  if (values.SMTP_URL && values.SMTP_HOST) {
    problems.push({ variable: 'SMTP_HOST', message: 'cannot be set together with SMTP_URL: give one of them' });
  }
  if ((values.SMTP_URL || values.SMTP_HOST) && !values.SMTP_FROM) {
    problems.push({ variable: 'SMTP_FROM', message: 'is required when SMTP is configured, e.g. "Læringsløp <laering@kommune.no>"' });
  }
  if (values.SMTP_PASSWORD && !values.SMTP_USER) {
    problems.push({ variable: 'SMTP_USER', message: 'is required with SMTP_PASSWORD' });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = values.PUBLIC_URL ?? `http://localhost:${values.PORT}`;
  const loopback = isLoopbackHost(new URL(publicUrl).hostname);
  const devLmsByDefault = values.NODE_ENV !== 'production' && loopback;
  const contentPort =
    values.NODE_ENV === 'development' && loopback && !values.CONTENT_ORIGIN && values.CONTENT_SAME_ORIGIN !== 'allow' && values.PORT > 0 && values.PORT < 65535
      ? values.PORT + 1
      : undefined;
  const { protocol, hostname } = new URL(publicUrl);
  return {
    nodeEnv: values.NODE_ENV,
    host: values.HOST,
    port: values.PORT,
    publicUrl,
    databaseUrl: values.DATABASE_URL,
    databasePoolMax: values.DATABASE_POOL_MAX,
    databasePreparedStatements: values.DATABASE_PREPARED_STATEMENTS === 'on',
    dataDir: path.resolve(values.DATA_DIR),
    keyEncryptionSecret: values.KEY_ENCRYPTION_SECRET ?? DEVELOPMENT_KEY_ENCRYPTION_SECRET,
    logLevel: values.LOG_LEVEL,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    ltiManagerRoles: values.LTI_MANAGER_ROLES.split(',').map((r) => r.trim()).filter(Boolean),
    ltiClockSkewSeconds: values.LTI_CLOCK_SKEW_SECONDS,
    contentOrigin: values.CONTENT_ORIGIN ?? (contentPort ? `${protocol}//${hostname}:${contentPort}` : undefined),
    contentPort,
    contentUploadLimitBytes: values.CONTENT_UPLOAD_LIMIT_BYTES,
    workers: values.WORKERS,
    devLms: values.DEV_LMS ?? (devLmsByDefault ? 'loopback' : 'off'),
    retentionMonths: values.RETENTION_MONTHS,
    mail: mailConfig(values),
  };
}

function mailConfig(values: z.infer<typeof schema>): MailConfig | undefined {
  if (!values.SMTP_FROM || !(values.SMTP_URL || values.SMTP_HOST)) return undefined;
  const port = values.SMTP_PORT ?? (values.SMTP_SECURE === 'on' ? 465 : 587);
  return {
    url: values.SMTP_URL,
    host: values.SMTP_HOST,
    port,
    secure: values.SMTP_SECURE ? values.SMTP_SECURE === 'on' : port === 465,
    user: values.SMTP_USER,
    password: values.SMTP_PASSWORD,
    from: values.SMTP_FROM,
  };
}
