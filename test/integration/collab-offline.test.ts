/**
 * Offline editing: a client that loses its connection keeps editing; when it
 * comes back it resyncs by state vector and both sides' edits merge, on every
 * client and in the stored document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  closeAllYjs();
  await server.stop();
});

const paragraph = (doc: Y.Doc): Y.XmlText => (doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;

describe('offline edits', () => {
  it('merge on reconnect, and a fresh client loads the merged text', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen);
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    const a = await openYjs(server.url, citizen.cookie, appeal.id);
    const b = await openYjs(server.url, operator.cookie, appeal.id);

    a.provider.disconnect();
    await waitFor(() => !a.provider.wsconnected, 2000, 'citizen offline');
    paragraph(a.doc).insert(0, 'OFFLINE-CITIZEN ');
    paragraph(b.doc).insert(paragraph(b.doc).length, ' ONLINE-OPERATOR');
    // Really offline: a client that joins now gets the operator's edit and not the citizen's.
    const witness = await openYjs(server.url, operator.cookie, appeal.id);
    await waitFor(() => witness.text().includes('ONLINE-OPERATOR'), 5000, 'the online edit relayed');
    expect(witness.text()).not.toContain('OFFLINE-CITIZEN');
    expect(b.text()).not.toContain('OFFLINE-CITIZEN');
    witness.destroy();

    a.provider.connect();
    await waitFor(() => a.text() === b.text() && a.text().includes('OFFLINE-CITIZEN') && a.text().includes('ONLINE-OPERATOR'), 5000, 'merge');

    const fresh = await openYjs(server.url, operator.cookie, appeal.id);
    expect(fresh.text()).toBe(a.text());
  });
});
