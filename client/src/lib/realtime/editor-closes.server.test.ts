/**
 * The editor's close-code rules (editor-closes.ts) on y-websocket's own
 * provider against the real server: a rate-limited link (4429) pauses and
 * connects again by itself, which y-websocket alone would not do; a link
 * closed because access was withdrawn (4410) is reported and stays closed.
 */
import { encoding } from 'lib0';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE_CODES } from '../../../../shared/protocol/close-codes';
import type { LiveClient } from '../../../../test/client-live/live-client';
import { webSocketWith } from '../../../../test/client-live/live-websocket';
import { TEST, useLiveRoom, WAIT } from '../../test/live-room';
import { editorCloseKind, EditorCloses, type EditorCloseKind } from './editor-closes';

const live = useLiveRoom();
const opened: { provider: WebsocketProvider; closes: EditorCloses }[] = [];

afterEach(() => {
  for (const { provider, closes } of opened.splice(0)) {
    closes.stop();
    provider.destroy();
  }
});

/** `person`'s editor link to the appeal's description, with the rules applied (pauses shortened for the test). */
async function openEditor(person: LiveClient, appealId: string): Promise<{ provider: WebsocketProvider; kinds: (EditorCloseKind | null)[] }> {
  const WebSocketPolyfill = await webSocketWith({ cookie: person.cookie, origin: live.server.url });
  const provider = new WebsocketProvider(`${live.server.url.replace(/^http/, 'ws')}/yjs`, appealId, new Y.Doc(), { disableBc: true, WebSocketPolyfill });
  const kinds: (EditorCloseKind | null)[] = [];
  const closes = new EditorCloses(
    provider,
    (kind) => {
      kinds.push(kind);
    },
    { firstMs: 300, repeatWindowMs: 60_000, maxMs: 1_000 },
  );
  opened.push({ provider, closes });
  await vi.waitFor(() => {
    expect(provider.synced).toBe(true);
  }, WAIT);
  return { provider, kinds };
}

/** A sync step 1 frame: each one asks the server for a diff and counts against the link's limit. */
function syncStep1(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep1(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
}

describe('close codes of the editor link', () => {
  it('reads every close code of the shared table: 4429 pauses, 4410 means access lost, other 44xx refused, the rest retried', () => {
    expect(editorCloseKind(CLOSE_CODES.RATE_LIMITED)).toBe('paused');
    expect(editorCloseKind(CLOSE_CODES.ACCESS_REVOKED)).toBe('access-lost');
    expect(editorCloseKind(CLOSE_CODES.BAD_MESSAGE)).toBe('refused');
    expect(editorCloseKind(4499)).toBe('refused');
    expect(editorCloseKind(CLOSE_CODES.SHUTTING_DOWN)).toBeNull();
    expect(editorCloseKind(1006)).toBeNull();
  });

  it('a rate-limited editor (4429) is told it is paused, then connects and syncs again by itself', TEST, async () => {
    const appealId = await live.takenAppeal();
    const { provider, kinds } = await openEditor(live.citizen, appealId);
    /** The description's first paragraph (the server seeds the document: a fragment of paragraphs). */
    const paragraph = (doc: Y.Doc): Y.XmlText => (doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
    const frame = syncStep1();
    for (let i = 0; i < 300; i++) provider.ws?.send(frame);

    await vi.waitFor(() => {
      expect(kinds).toContain('paused');
    }, WAIT);
    // y-websocket by itself would stay closed now.
    expect(provider.shouldConnect).toBe(false);
    paragraph(provider.doc).insert(0, 'Набрано во время паузы. ');

    await vi.waitFor(() => {
      expect(provider.wsconnected).toBe(true);
      expect(provider.synced).toBe(true);
    }, WAIT);
    expect(kinds).toEqual(['paused', null]);
    // The edit made during the pause reached the server: a fresh link gets it.
    const check = await openEditor(live.operator, appealId);
    await vi.waitFor(() => {
      expect(paragraph(check.provider.doc).toString()).toMatch(/^Набрано во время паузы\. /);
    }, WAIT);
  });

  it('an editor whose access is withdrawn (4410) is told so and stays closed', TEST, async () => {
    const appealId = await live.takenAppeal();
    expect((await live.operator.post(`/api/appeals/${appealId}/experts`, { expertId: live.expert.user.id })).status).toBe(200);
    const { provider, kinds } = await openEditor(live.expert, appealId);

    expect((await live.operator.delete(`/api/appeals/${appealId}/experts/${live.expert.user.id}`)).status).toBe(200);
    await vi.waitFor(() => {
      expect(kinds).toEqual(['access-lost']);
    }, WAIT);
    // Longer than any pause: no reconnect was tried.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(provider.wsconnected).toBe(false);
    expect(provider.wsconnecting).toBe(false);
    expect(kinds).toEqual(['access-lost']);
  });
});
