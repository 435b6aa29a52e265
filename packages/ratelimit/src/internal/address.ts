import { isIPv6 } from "node:net";

/**
 * The rate-limit key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 cut to
 * its /64, because one subscriber usually holds a whole /64 and could otherwise take a
 * fresh bucket per address.
 */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const zoneless = address.split("%")[0] ?? address;
  const [head = "", tail] = zoneless.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
