/** IPv4 address arithmetic shared by the plan, the configuration checks and the perimeter rules. */

/** A dotted-quad address as a number (no validation: callers pass addresses already checked). */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** A number as a dotted-quad address. */
export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The addresses a CIDR block covers, as [first, one past the last). */
export function cidrRange(cidr: string): [number, number] {
  const [address, mask] = cidr.split('/');
  const start = ipv4ToNumber(address);
  return [start, start + 2 ** (32 - Number(mask))];
}
