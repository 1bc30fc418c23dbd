/**
 * Where a webhook may point (docs/oversight.md, "Webhooks"): https only,
 * except plain http to a loopback address when the development exception is
 * on; and no private, loopback, link-local or other non-public address unless
 * an admin allowed it for that webhook. Checked at registration and again at
 * every delivery, on the addresses the name resolves to then (a name that
 * resolved to a public address at registration may resolve to a private one
 * later: DNS rebinding); the delivery connects to the address checked.
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) as its IPv4 form. */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** Private, loopback, link-local, shared, multicast or reserved: not an address of the public Internet. */
export function isPrivateAddress(ip: string): boolean {
  const a = unmapped(ip);
  if (isIP(a) === 0) return true;
  return blocked.check(a, family(a));
}

export function isLoopbackAddress(ip: string): boolean {
  const a = unmapped(ip);
  return isIP(a) !== 0 && loopback.check(a, family(a));
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The URL's form: a refusal in Russian, or null. */
export function urlRefusal(raw: string, devLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Адрес не разобран: нужен полный URL вида https://example.org/hook';
  }
  if (url.username !== '' || url.password !== '') return 'Адрес не должен содержать имя и пароль';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && devLoopback && LOOPBACK_NAMES.includes(url.hostname)) return null;
  return 'Нужен адрес https (http — только к loopback в режиме разработки)';
}

/** The resolved addresses' refusal, or null when every one may be reached. */
export function addressRefusal(addresses: readonly string[], o: { allowPrivate: boolean; devLoopback: boolean }): string | null {
  if (addresses.length === 0) return 'Имя узла не разрешается ни в один адрес';
  if (o.allowPrivate) return null;
  for (const a of addresses) {
    if (o.devLoopback && isLoopbackAddress(a)) continue;
    if (isPrivateAddress(a)) return `Адрес ${a} — частный или служебный; отправка туда разрешается только отметкой «разрешить частный адрес»`;
  }
  return null;
}
