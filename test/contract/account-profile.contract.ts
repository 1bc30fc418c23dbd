/**
 * What the profile, recovery and consent need of the Store (docs/accounts.md):
 * the consent fields on a user, each session's device and the sessions listed
 * per user, a code's purpose and target. Declared inside the Store contract
 * (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.js';
import { makeCode, makeSession, makeUser, T0 } from '../helpers/factories.js';

export function describeAccountProfile(s: () => Store): void {
  describe('account profile', () => {
    it('keeps the accepted consent version and time, reads none for a user stored without them, and updates them', async () => {
      const user = makeUser({ consentVersion: '2026-12-01', consentAcceptedAt: T0 + 5 });
      await s().users.create(user);
      expect(await s().users.get(user.id)).toEqual(user);
      const { consentVersion: _v, consentAcceptedAt: _a, ...legacy } = makeUser();
      await s().users.create(legacy);
      expect(await s().users.get(legacy.id)).toMatchObject({ consentVersion: null, consentAcceptedAt: null });
      const updated = await s().users.update(legacy.id, { consentVersion: '2027-01-15', consentAcceptedAt: T0 + 9 });
      expect(updated).toMatchObject({ consentVersion: '2027-01-15', consentAcceptedAt: T0 + 9 });
      expect(await s().users.get(legacy.id)).toEqual(updated);
    });

    it('keeps who locked a user, and clears it', async () => {
      const user = makeUser({ locked: true, lockedBy: 'self' });
      await s().users.create(user);
      expect(await s().users.get(user.id)).toEqual(user);
      expect(await s().users.update(user.id, { lockedBy: 'admin' })).toMatchObject({ locked: true, lockedBy: 'admin' });
      expect(await s().users.update(user.id, { locked: false, lockedBy: null })).toMatchObject({ locked: false, lockedBy: null });
      expect(await s().users.get(user.id)).toMatchObject({ locked: false, lockedBy: null });
    });

    it('changes the e-mail and phone with their confirmations, and refuses one another account holds', async () => {
      const a = makeUser();
      const b = makeUser();
      await s().users.create(a);
      await s().users.create(b);
      const email = `new-${a.id.toLowerCase()}@example.ru`;
      expect(await s().users.update(a.id, { email, emailConfirmed: true })).toMatchObject({ email, emailConfirmed: true });
      expect((await s().users.findByLogin(email))?.id).toBe(a.id);
      expect(await s().users.findByLogin(a.email)).toBeNull();
      await expect(s().users.update(a.id, { phone: b.phone })).rejects.toMatchObject({ code: 'duplicate', field: 'phone' });
      expect((await s().users.get(a.id))?.phone).toBe(a.phone);
    });

    it("lists one user's sessions oldest first with their device and IP, expired ones included, and no one else's", async () => {
      const userId = 'user-sessions-1';
      const later = makeSession({ userId, createdAt: T0 + 2000, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', ip: '10.0.0.2' });
      const first = makeSession({ userId, createdAt: T0 + 1000, ip: '10.0.0.1' });
      const expired = makeSession({ userId, createdAt: T0 + 3000, expiresAt: T0 + 3001 });
      await s().sessions.create(later);
      await s().sessions.create(first);
      await s().sessions.create(expired);
      await s().sessions.create(makeSession({ userId: 'user-sessions-2' }));
      expect(await s().sessions.listForUser(userId)).toEqual([first, later, expired]);
      expect(await s().sessions.listForUser('user-sessions-none')).toEqual([]);
      await s().sessions.touch(later.id, T0 + 99_000);
      expect((await s().sessions.listForUser(userId))[1]).toEqual({ ...later, expiresAt: T0 + 99_000 });
      await s().sessions.delete(first.id);
      expect((await s().sessions.listForUser(userId)).map((x) => x.id)).toEqual([later.id, expired.id]);
    });

    it("keeps a code's purpose and target", async () => {
      const change = makeCode({ purpose: 'change_contact', target: '+79990001122', channel: 'phone' });
      const recover = makeCode({ purpose: 'recover' });
      const unlock = makeCode({ purpose: 'unlock' });
      for (const c of [change, recover, unlock]) await s().codes.create(c);
      expect(await s().codes.get(change.id)).toEqual(change);
      expect(await s().codes.get(recover.id)).toEqual(recover);
      expect(await s().codes.get(unlock.id)).toEqual(unlock);
    });
  });
}
