import { isIPv6 } from 'node:net';

/** How many failed authentications may come at once, and how often one more is allowed after that. */
export interface FailurePolicy {
  readonly burst: number;
  readonly refillMs: number;
}

/** Per client address: 10 failures at once, then one every 6 seconds (10 a minute). */
export const ADDRESS_FAILURES: FailurePolicy = { burst: 10, refillMs: 6_000 };
/** Per client key, from all addresses but the key's known ones together: 20 at once, then one every 6 seconds. */
export const KEY_FAILURES: FailurePolicy = { burst: 20, refillMs: 6_000 };
/** An address a key has logged in from stays its known address this long after the last login. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;
const KNOWN_ADDRESSES_PER_KEY = 32;
const MAX_BUCKETS = 100_000;

/**
 * Token buckets of failures by name. A bucket at its full burst holds no information and is dropped,
 * so memory holds only names that failed recently; past `MAX_BUCKETS` the oldest go first.
 */
export class FailureBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly policy: FailurePolicy,
    private readonly now: () => number,
  ) {}

  #tokens(name: string): number {
    const bucket = this.#buckets.get(name);
    if (!bucket) return this.policy.burst;
    const tokens = Math.min(this.policy.burst, bucket.tokens + (this.now() - bucket.at) / this.policy.refillMs);
    if (tokens >= this.policy.burst) this.#buckets.delete(name);
    return tokens;
  }

  /** Takes one failure ahead of the attempt (so concurrent attempts cannot all slip through); ms to wait when none is left. */
  take(name: string): number {
    const tokens = this.#tokens(name);
    if (tokens < 1) return Math.ceil((1 - tokens) * this.policy.refillMs);
    if (!this.#buckets.has(name) && this.#buckets.size >= MAX_BUCKETS) {
      const oldest = this.#buckets.keys().next();
      if (!oldest.done) this.#buckets.delete(oldest.value);
    }
    this.#buckets.delete(name);
    this.#buckets.set(name, { tokens: tokens - 1, at: this.now() });
    return 0;
  }

  /** Gives back what `take` took, when the attempt succeeded. */
  give(name: string): void {
    const bucket = this.#buckets.get(name);
    if (!bucket) return;
    bucket.tokens = Math.min(this.policy.burst, this.#tokens(name) + 1);
    bucket.at = this.now();
  }
}

/** An IPv6 client holds a whole /64, so it counts as one address; IPv4-mapped addresses as IPv4. */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back] : front;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * A brake on guessing client secrets, in memory for this process. Every secret check (scrypt) first
 * takes one failure from its address's bucket and one from its key's; a correct secret gives them
 * back. The key's bucket does not apply at the key's known addresses (where it logged in before), so
 * an attacker elsewhere who exhausts it never locks the real client out.
 */
export class AuthThrottle {
  readonly #addresses: FailureBuckets;
  readonly #keys: FailureBuckets;
  readonly #known = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {
    this.#addresses = new FailureBuckets(ADDRESS_FAILURES, now);
    this.#keys = new FailureBuckets(KEY_FAILURES, now);
  }

  /** Before any check of credentials from `address`: ms to wait, or 0 once a failure is taken. */
  takeAddress(address: string): number {
    return this.#addresses.take(addressGroup(address));
  }

  /** Before checking a secret of an existing `key`: ms to wait, or 0 once a failure is taken (none at a known address). */
  takeKey(key: string, address: string): number {
    return this.isKnown(key, address) ? 0 : this.#keys.take(key);
  }

  /** The secret was right: what was taken comes back, and the address becomes known for the key. */
  succeeded(key: string, address: string): void {
    const group = addressGroup(address);
    this.#addresses.give(group);
    // At a known address `takeKey` took nothing, and nothing is given back.
    if (!this.isKnown(key, address)) this.#keys.give(key);
    const known = this.#known.get(key) ?? new Map<string, number>();
    known.delete(group);
    known.set(group, this.now());
    if (known.size > KNOWN_ADDRESSES_PER_KEY) known.delete(known.keys().next().value as string);
    this.#known.set(key, known);
  }

  isKnown(key: string, address: string): boolean {
    const since = this.#known.get(key)?.get(addressGroup(address));
    return since !== undefined && this.now() - since < KNOWN_ADDRESS_MS;
  }
}
