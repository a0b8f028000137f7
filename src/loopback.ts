import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether a URL's host name can only mean this machine: `localhost` and names below it (RFC 6761
 * §6.3), 127.0.0.0/8 and ::1.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isLoopbackAddress(host);
}

/** Whether a socket's address is this machine's loopback (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(ip)) return ip.startsWith('127.');
  return isIPv6(ip) && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(ip);
}
