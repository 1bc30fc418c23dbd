/**
 * Hostile Engine.IO / socket.io packets, written by hand on a raw WebSocket
 * (`/socket.io/?EIO=4&transport=websocket`): bad JSON, wrong types, huge
 * numbers, unknown and reserved event names, binary attachment counts that do
 * not match the frames that follow, acks for ids never issued, unknown
 * namespaces, Engine.IO packet types a client never sends; and seeded random
 * ones. A text packet is `4` (Engine.IO message) then the socket.io packet:
 * type digit, attachments and `-` for binary, `/nsp,`, ack id, JSON.
 */

/** One attack: the packets sent (strings are text frames) and whether they replace the CONNECT. */
export interface SioAttack {
  kind: string;
  packets: (string | Uint8Array)[];
  /** Sent instead of `40`: the outcome is any reply or a close, not a probe's ack. */
  isPreConnect?: boolean;
}

const EVENTS = ['room:join', 'room:leave', 'room:sync', 'chat:send', 'chat:history', 'chat:read', 'typing:set', 'status:change', 'wall:watch', 'lists:watch'];
const RESERVED = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'error',
  'newListener',
  'removeListener',
];

export function structuredSioAttacks(appealId: string): SioAttack[] {
  const out: SioAttack[] = [];
  const after = (kind: string, ...packets: (string | Uint8Array)[]): void => {
    out.push({ kind, packets });
  };
  const before = (kind: string, ...packets: (string | Uint8Array)[]): void => {
    out.push({ kind, packets, isPreConnect: true });
  };
  // Bad JSON and wrong types.
  for (const p of ['42[', '42{"a":', '42["chat:send",{]', '42["chat:send",{"text":"\\ud800"', '42]', '42[,]', '42[1,]', '42\u0000', '42[NaN]', '42[Infinity]'])
    after(`bad JSON ${p.slice(0, 12)}`, p);
  for (const p of ['42"str"', '42{}', '42[]', '42[1]', '42[null]', '42[{}]', '42[["x"]]', '42[true,1]', '421[1,2,3]', '42null', '421', '4210'])
    after('wrong types', p);
  for (const e of EVENTS) {
    for (const payload of [
      '"text"',
      '5',
      'null',
      '[]',
      '{"appealId":{"$gt":""}}',
      `{"appealId":"${appealId}","seq":1e400}`,
      `{"appealId":"${appealId}","limit":1e308,"beforeSeq":-1}`,
      `{"appealId":"${appealId}","clientId":"x","text":5,"internal":"yes"}`,
      `{"appealId":"${appealId}","action":"__proto__","version":-9007199254740993}`,
      `{"appealId":"${appealId}","since":{"chatSeq":"1","historySeq":{}}}`,
      '{"__proto__":{"isAdmin":true}}',
    ]) {
      after('wrong payload', `42["${e}",${payload}]`, `4217["${e}",${payload}]`);
    }
    after('extra arguments', `4218["${e}",{},{},{},[],1]`);
  }
  // Huge numbers: ack ids, namespaces, attachment counts.
  for (const p of [
    '4299999999999999999999["chat:history",{}]',
    '42-1["chat:history",{}]',
    '421e5["chat:history",{}]',
    '429007199254740993["chat:history",{}]',
    '42000000000000000000001["chat:history",{}]',
  ])
    after('huge ack id', p);
  // Unknown and reserved event names.
  for (const e of ['no:such', '', ' ', 'chat:send\u0000', 'x'.repeat(10_000), ...RESERVED]) {
    after('unknown or reserved event', `42${JSON.stringify([e, {}])}`, `4219${JSON.stringify([e, {}])}`);
  }
  after('event name not a string', '42[{"toString":1},{}]', '42[["chat:send"],{}]', '4220[123,{}]');
  // Binary attachments whose count does not match the frames that follow.
  const bin = new Uint8Array([1, 2, 3]);
  after('binary: promised 1, sent none', '451-["chat:send",{"_placeholder":true,"num":0}]');
  after('binary: promised 1, sent 3', '451-["chat:send",{"_placeholder":true,"num":0}]', bin, bin, bin);
  after('binary: promised 2, placeholder 5', '452-["chat:send",{"_placeholder":true,"num":5}]', bin, bin);
  after('binary: placeholder num as text', '451-["chat:send",{"_placeholder":true,"num":"0"}]', bin);
  after('binary: placeholder num negative', '451-["chat:send",{"_placeholder":true,"num":-1}]', bin);
  after('binary: huge count', '4599999999999-["chat:send",{}]', bin);
  after('binary: count 0 with dash', '450-["chat:send",{}]');
  after('binary: count not a number', '45x-["chat:send",{}]', bin);
  after('binary: frame with no packet', bin);
  after('binary: ack for no id', '461-21[{"_placeholder":true,"num":0}]', bin);
  after('binary: 1,000 attachments promised', '451000-["chat:send",{}]', ...Array.from({ length: 20 }, () => bin));
  // Acks the server never asked for, with wrong arguments.
  for (const p of ['43["x"]', '431["x"]', '4399999999999999999999[]', '431{}', '431"str"', '431', '43', '431[1,2,3,{"__proto__":{}}]'])
    after('unsolicited ack', p);
  // Namespaces and the connect step.
  for (const p of [
    '40/nope,',
    '40/admin,{"token":1}',
    '42/nope,["x"]',
    '41',
    '41/nope,',
    '40{"pid":"x","offset":"y"}',
    '40["array"]',
    '40"str"',
    '40{',
    '40/,',
    `40/${'n'.repeat(5000)},`,
  ])
    before(`connect: ${p.slice(0, 14)}`, p);
  // Engine.IO packet types a client does not send, and frames past the size limit.
  for (const p of ['0', '0{}', '1', '2', '3', '5', '6', '7', '9', '', '4', '2probe', '4\u00ff', '47', '4a', `4${'9'.repeat(20)}`])
    before(`engine: ${JSON.stringify(p).slice(0, 12)}`, p);
  after('text frame over 64 KiB', `42["chat:send",{"text":"${'x'.repeat(70 * 1024)}"}]`);
  after('binary frame over 64 KiB', '451-["chat:send",{"_placeholder":true,"num":0}]', new Uint8Array(70 * 1024));
  after('flood: 500 CONNECT packets', ...Array.from({ length: 500 }, () => '40'));
  after('flood: 200 unknown events', ...Array.from({ length: 200 }, (_, i) => `42${i}["no:such",{}]`));
  return out;
}

/** A random JSON value, at most `depth` deep. */
function randomJson(rand: () => number, depth: number): unknown {
  const int = (n: number): number => Math.floor(rand() * n);
  switch (depth <= 0 ? int(4) : int(6)) {
    case 0:
      return int(3) === 0 ? 1e308 * (rand() - 0.5) : int(2 ** 31) - 2 ** 30;
    case 1:
      return String.fromCharCode(...Array.from({ length: int(20) }, () => int(0x3000)));
    case 2:
      return [null, true, false][int(3)];
    case 3:
      return EVENTS[int(EVENTS.length)];
    case 4:
      return Array.from({ length: int(4) }, () => randomJson(rand, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(4) }, () => [['appealId', 'seq', 'text', 'clientId', 'since', 'limit', '__proto__'][int(7)]!, randomJson(rand, depth - 1)]),
      );
  }
}

/** A seeded random attack: random text after a packet type, a random event with a random payload, or random bytes. */
export function randomSioAttack(rand: () => number): SioAttack {
  const int = (n: number): number => Math.floor(rand() * n);
  switch (int(4)) {
    case 0: {
      const tail = String.fromCharCode(...Array.from({ length: int(60) }, () => 32 + int(95)));
      return { kind: 'random: text after a type', packets: [`4${int(10)}${tail}`] };
    }
    case 1: {
      const name = int(3) === 0 ? String(randomJson(rand, 0)) : EVENTS[int(EVENTS.length)]!;
      const args = Array.from({ length: int(3) }, () => randomJson(rand, 3));
      const ack = int(2) === 0 ? '' : String(int(1000));
      return { kind: 'random: event', packets: [`42${ack}${JSON.stringify([name, ...args])}`] };
    }
    case 2: {
      const json = JSON.stringify(randomJson(rand, 3));
      const cut = json.slice(0, int(json.length + 1));
      return { kind: 'random: cut JSON', packets: [`4${int(7)}${cut}`] };
    }
    default:
      return { kind: 'random: bytes', packets: [Uint8Array.from({ length: int(200) }, () => int(256))] };
  }
}
