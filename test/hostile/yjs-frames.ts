/**
 * Hostile frames for the Yjs endpoint: structured ones (every count an update,
 * a state vector or an awareness message carries set to a huge value — yjs
 * issue 687 —, every message type with trailing bytes, unknown types, V2
 * updates, subdocuments, foreign roots, oversized and fragmented frames) and
 * seeded random ones (random bytes, random bytes behind valid headers, and
 * mutations of a real update sent by a read-only observer, for whom any
 * accepted change would be a defect).
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** One hostile frame (or a few, sent back to back) and who sends it. */
export interface YjsAttack {
  kind: string;
  /** `observer`: a read-only supervisor, so no frame of theirs may change the document. */
  as: 'writer' | 'observer';
  frames: (Uint8Array | string)[];
  /** Send the frames split into WebSocket fragments of this size. */
  fragment?: number;
}

/** mulberry32: a small seeded PRNG, so a run can be replayed from its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const enc = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};
const sync = (sub: number, payload: Uint8Array): Uint8Array =>
  enc((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, sub);
    encoding.writeVarUint8Array(e, payload);
  });
const awareness = (payload: Uint8Array): Uint8Array =>
  enc((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, payload);
  });
/** A varint of 10 bytes: past every safe integer. */
const OVERFLOW = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
/** Counts an update may claim: 2^31, 2^32, 2^53 − 1 (all fit a varint lib0 can read). */
const HUGE = [2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER];
/** Clocks and lengths past the bound the server allows (2^31). */
const PAST_CLOCK = [2 ** 31 + 1, 2 ** 32, Number.MAX_SAFE_INTEGER];

/** The answer-forcing probe: sync step 1 with an empty state vector (answered with step 2). */
export const PROBE = sync(0, new Uint8Array([0]));

/** An update of one client with one item in the root `default`, content written by `content`. */
function oneItem(ref: number, content: (e: encoding.Encoder) => void, o: { root?: string; client?: number; clock?: number } = {}): Uint8Array {
  return enc((e) => {
    encoding.writeVarUint(e, 1); // clients
    encoding.writeVarUint(e, 1); // structs
    encoding.writeVarUint(e, o.client ?? 4242);
    encoding.writeVarUint(e, o.clock ?? 0);
    encoding.writeUint8(e, ref); // no origins, no parentSub
    encoding.writeVarUint(e, 1); // parent is a root type…
    encoding.writeVarString(e, o.root ?? 'default'); // …named
    content(e);
    encoding.writeVarUint(e, 0); // empty delete set
  });
}

/** Every structured attack, yjs issue 687 first. */
export function structuredYjsAttacks(realState: Uint8Array): YjsAttack[] {
  const out: YjsAttack[] = [];
  const bothSubs = (kind: string, update: Uint8Array, as: YjsAttack['as'] = 'writer'): void => {
    out.push({ kind, as, frames: [sync(1, update)] }, { kind, as, frames: [sync(2, update)] });
  };
  for (const [i, n] of HUGE.entries()) {
    const len = PAST_CLOCK[i]!;
    bothSubs(
      '687: clients',
      enc((e) => {
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: structs',
      enc((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, n);
        encoding.writeVarUint(e, 12345);
        encoding.writeVarUint(e, 0);
        encoding.writeUint8(e, 0);
        encoding.writeVarUint(e, 1);
      }),
    );
    bothSubs(
      '687: gc length',
      enc((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 12345);
        encoding.writeVarUint(e, 0);
        encoding.writeUint8(e, 0);
        encoding.writeVarUint(e, len);
        encoding.writeVarUint(e, 0);
      }),
    );
    bothSubs(
      '687: deleted length',
      oneItem(1, (e) => {
        encoding.writeVarUint(e, len);
      }),
    );
    bothSubs(
      '687: json count',
      oneItem(2, (e) => {
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: any count',
      oneItem(8, (e) => {
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: string length',
      oneItem(4, (e) => {
        encoding.writeVarUint(e, n);
        encoding.writeUint8(e, 0x41);
      }),
    );
    bothSubs(
      '687: binary length',
      oneItem(3, (e) => {
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: clock',
      oneItem(
        4,
        (e) => {
          encoding.writeVarString(e, 'x');
        },
        { clock: len },
      ),
    );
    bothSubs(
      '687: delete-set clients',
      enc((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: delete ranges',
      enc((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 777);
        encoding.writeVarUint(e, n);
      }),
    );
    bothSubs(
      '687: delete length',
      enc((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 777);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, len);
      }),
    );
    out.push({
      kind: '687: state vector count',
      as: 'writer',
      frames: [
        sync(
          0,
          enc((e) => {
            encoding.writeVarUint(e, n);
          }),
        ),
      ],
    });
    out.push({
      kind: '687: awareness count',
      as: 'writer',
      frames: [
        awareness(
          enc((e) => {
            encoding.writeVarUint(e, n);
          }),
        ),
      ],
    });
    out.push({
      kind: '687: awareness state length',
      as: 'writer',
      frames: [
        awareness(
          enc((e) => {
            encoding.writeVarUint(e, 1);
            encoding.writeVarUint(e, 5151);
            encoding.writeVarUint(e, 1);
            encoding.writeVarUint(e, n);
          }),
        ),
      ],
    });
  }
  // At the bound a writer may use (one GC range of 2^31): a change, so only an observer sends it, and is refused.
  out.push({
    kind: 'observer: GC of 2^31',
    as: 'observer',
    frames: [
      sync(
        2,
        enc((e) => {
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, 12345);
          encoding.writeVarUint(e, 0);
          encoding.writeUint8(e, 0);
          encoding.writeVarUint(e, 2 ** 31);
          encoding.writeVarUint(e, 0);
        }),
      ),
    ],
  });
  bothSubs(
    'varint overflow',
    enc((e) => {
      encoding.writeUint8Array(e, OVERFLOW);
    }),
  );
  // Many clients with no structs, each within the bytes: a linear walk and a no-op.
  const many = (clients: number): Uint8Array =>
    enc((e) => {
      encoding.writeVarUint(e, clients);
      for (let i = 0; i < clients; i++) {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 100 + i);
        encoding.writeVarUint(e, 0);
      }
      encoding.writeVarUint(e, 0);
    });
  bothSubs('many empty clients', many(40_000));
  // Deletions of history the document lacks, nested values, unknown types, subdocuments, other roots, V2.
  bothSubs(
    'delete unknown history',
    enc((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2000);
      for (let i = 0; i < 2000; i++) {
        encoding.writeVarUint(e, 90_000 + i);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 10);
      }
    }),
  );
  bothSubs(
    'any nested 2000 deep',
    oneItem(8, (e) => {
      encoding.writeVarUint(e, 1);
      for (let i = 0; i < 2000; i++) {
        encoding.writeUint8(e, 117);
        encoding.writeVarUint(e, 1);
      }
      encoding.writeUint8(e, 126);
    }),
  );
  bothSubs(
    'unknown type ref',
    oneItem(7, (e) => {
      encoding.writeVarUint(e, 99);
    }),
  );
  bothSubs(
    'unknown content ref',
    oneItem(17, (e) => {
      encoding.writeVarUint(e, 1);
    }),
  );
  bothSubs(
    'subdocument',
    oneItem(9, (e) => {
      encoding.writeVarString(e, 'guid');
      encoding.writeUint8(e, 126);
    }),
  );
  bothSubs(
    'foreign root',
    oneItem(
      4,
      (e) => {
        encoding.writeVarString(e, 'evil');
      },
      { root: 'evil' },
    ),
  );
  bothSubs(
    'skip struct',
    enc((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 4242);
      encoding.writeVarUint(e, 0);
      encoding.writeUint8(e, 10);
      encoding.writeVarUint(e, 1000);
      encoding.writeVarUint(e, 0);
    }),
  );
  const v2 = new Y.Doc();
  v2.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
  bothSubs('V2 update', Y.encodeStateAsUpdateV2(v2));
  bothSubs('real state, trailing byte', new Uint8Array([...realState, 0]));
  bothSubs('real state, truncated', realState.subarray(0, realState.length - 1));
  // The frame around the payload.
  for (const [kind, frame] of [
    ['empty frame', new Uint8Array(0)],
    ['auth message from a client', new Uint8Array([2, 0])],
    ['unknown type 4', new Uint8Array([4, 0])],
    ['unknown type, overflowing varint', OVERFLOW],
    ['sync, unknown sub-type', new Uint8Array([0, 9, 0])],
    ['sync, payload length past the end', new Uint8Array([0, 2, 0x80, 0x80, 0x04, 1])],
    ['sync step 1, trailing', new Uint8Array([0, 0, 1, 0, 7])],
    ['update, trailing', new Uint8Array([0, 2, 2, 0, 0, 7])],
    ['awareness, trailing', new Uint8Array([1, 1, 0, 7])],
    ['query, trailing', new Uint8Array([3, 0])],
  ] as const)
    out.push({ kind: `frame: ${kind}`, as: 'writer', frames: [frame] });
  out.push({ kind: 'frame: text opcode', as: 'writer', frames: ['{"type":"sync"}'] });
  out.push({ kind: 'frame: over 256 KiB', as: 'writer', frames: [new Uint8Array(300 * 1024)] });
  out.push({ kind: 'frame: fragments over 256 KiB', as: 'writer', frames: [new Uint8Array(300 * 1024)], fragment: 16 * 1024 });
  out.push({ kind: 'frame: fragmented step 1', as: 'writer', frames: [PROBE], fragment: 1 });
  // Awareness: sizes and shapes of the state.
  const state = (raw: string): Uint8Array =>
    awareness(
      enc((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 5252);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, raw);
      }),
    );
  for (const [kind, raw] of [
    ['over 8 KiB', JSON.stringify({ c: 'x'.repeat(9000) })],
    ['not JSON', '{'],
    ['JSON array', '[1,2]'],
    ['JSON number', '7'],
    ['nested 4000 deep', `${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}`],
    ['__proto__ key', '{"__proto__":{"polluted":1},"user":1}'],
  ] as const)
    out.push({ kind: `awareness: ${kind}`, as: 'writer', frames: [state(raw)] });
  out.push({
    kind: 'awareness: 40,000 entries of others',
    as: 'writer',
    frames: [
      awareness(
        enc((e) => {
          encoding.writeVarUint(e, 40_000);
          for (let i = 0; i < 40_000; i++) {
            encoding.writeVarUint(e, 60_000 + i);
            encoding.writeVarUint(e, 1);
            encoding.writeVarString(e, '');
          }
        }),
      ),
    ],
  });
  // Floods on one connection: own carets, sync step 1 requests, updates.
  const caret = (clock: number): Uint8Array =>
    awareness(
      enc((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 5353);
        encoding.writeVarUint(e, clock);
        encoding.writeVarString(e, '{"c":1}');
      }),
    );
  out.push({ kind: 'flood: 1000 carets', as: 'writer', frames: Array.from({ length: 1000 }, (_, i) => caret(i + 1)) });
  out.push({ kind: 'flood: 1000 step 1 requests', as: 'writer', frames: Array.from({ length: 1000 }, () => PROBE) });
  out.push({ kind: 'flood: 1000 empty updates', as: 'writer', frames: Array.from({ length: 1000 }, () => sync(2, new Uint8Array([0, 0]))) });
  // An observer's real edit and its already-known state.
  const edit = new Y.Doc();
  Y.applyUpdate(edit, realState);
  const before = Y.encodeStateVector(edit);
  edit.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
  out.push({ kind: 'observer: real edit', as: 'observer', frames: [sync(2, Y.encodeStateAsUpdate(edit, before))] });
  out.push({ kind: 'observer: known state', as: 'observer', frames: [sync(1, realState)] });
  return out;
}

/** A seeded random attack: random bytes, random bytes behind valid headers, or a mutated real edit sent by an observer. */
export function randomYjsAttack(rand: () => number, edit: Uint8Array): YjsAttack {
  const int = (n: number): number => Math.floor(rand() * n);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
  switch (int(5)) {
    case 0:
      return { kind: 'random: bytes', as: 'writer', frames: [bytes(int(300))] };
    case 1:
      return { kind: 'random: sync payload', as: 'writer', frames: [sync(int(3), bytes(int(200)))] };
    case 2:
      return { kind: 'random: awareness payload', as: 'writer', frames: [awareness(bytes(int(200)))] };
    case 3: {
      const count = 1 + int(4);
      const raw = String.fromCharCode(...Array.from({ length: int(40) }, () => 32 + int(95)));
      return {
        kind: 'random: awareness entries',
        as: 'writer',
        frames: [
          awareness(
            enc((e) => {
              encoding.writeVarUint(e, count);
              for (let i = 0; i < count; i++) {
                encoding.writeVarUint(e, int(2 ** 31));
                encoding.writeVarUint(e, int(2 ** 20));
                encoding.writeVarString(e, rand() < 0.5 ? raw : JSON.stringify({ c: raw }));
              }
            }),
          ),
        ],
      };
    }
    default: {
      const m = new Uint8Array(edit);
      for (let k = 1 + int(4); k > 0; k--) m[int(m.length)] = int(256);
      const cut = rand() < 0.3 ? m.subarray(0, int(m.length)) : m;
      return { kind: 'random: mutated edit (observer)', as: 'observer', frames: [sync(1 + int(2), cut)] };
    }
  }
}

/** A real edit on top of `state` (a paragraph with text), for mutation. */
export function realEdit(state: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText('Новый абзац для проверки')]);
  doc.getXmlFragment('default').insert(0, [p]);
  return Y.encodeStateAsUpdate(doc, before);
}
