/**
 * Search in the Store (search.port.ts), declared inside the Store contract
 * (store.contract.ts) so that both adapters answer one fixture with the same
 * hits: Russian word forms, the parts each grant allows, access conditions,
 * filters, versions, chat edits and the catch-up's view of what is behind.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { searchDocOf, chatDocsOf } from '../../server/domain/search/search-doc.js';
import type { AppealRecord, SearchGrant, SearchQuery, Store, UserRecord } from '../../server/store/store.js';
import { SEARCH_FIELDS, SEARCH_WINDOW } from '../../server/store/search.port.js';
import { DAY, makeRegisteredAppeal, makeUser, T0, uniq } from '../helpers/factories.js';

/** [the form in the text, the form searched]: each pair must find its appeal. */
export const INFLECTED_PAIRS: readonly (readonly [string, string])[] = [
  ['отопление', 'отопления'],
  ['подъезде', 'подъезд'],
  ['крыши', 'крыша'],
  ['протечка', 'протечки'],
  ['лифта', 'лифт'],
  ['мусора', 'мусор'],
  ['двора', 'дворе'],
  ['квартиры', 'квартира'],
  ['трубы', 'труба'],
  ['горячей', 'горячая'],
  ['воды', 'вода'],
  ['пособия', 'пособие'],
  ['справку', 'справка'],
  ['детского', 'детский'],
  ['сада', 'сад'],
  ['поликлинике', 'поликлиника'],
  ['врача', 'врач'],
  ['налога', 'налог'],
  ['вычета', 'вычет'],
  ['регистрации', 'регистрация'],
  ['паспорта', 'паспорт'],
  ['электричества', 'электричество'],
  ['стены', 'стена'],
  ['окна', 'окно'],
  ['дороги', 'дорога'],
  ['освещения', 'освещение'],
];

const ALL: SearchGrant = { fields: SEARCH_FIELDS, excludeDrafts: true };

export function describeSearch(s: () => Store): void {
  describe('search', () => {
    const dep1 = `dep-s1-${uniq()}`;
    const dep2 = `dep-s2-${uniq()}`;
    const cat1 = `cat-s1-${uniq()}`;
    let ivanova: UserRecord;
    let sidorov: UserRecord;
    let a1: AppealRecord;
    let a2: AppealRecord;
    let a3: AppealRecord;
    let draft: AppealRecord;

    const ids = async (q: Partial<SearchQuery> & { text: string }): Promise<string[]> =>
      (await s().search.search({ grants: [ALL], limit: 50, offset: 0, ...q })).items.map((h) => h.appealId).sort();
    const sorted = (...appeals: AppealRecord[]): string[] => appeals.map((a) => a.id).sort();

    beforeEach(async () => {
      ivanova = makeUser({ fullName: 'Иванова Мария Петровна' });
      sidorov = makeUser({ fullName: 'Сидоров Пётр Ильич' });
      await s().users.create(ivanova);
      await s().users.create(sidorov);
      a1 = makeRegisteredAppeal({
        number: '77-2026-000101',
        citizenId: ivanova.id,
        departmentId: dep1,
        categoryId: cat1,
        type: 'complaint',
        subject: 'Нет отопления',
        description: 'В подъезде нет отопление третью неделю. С крыши протечка, у лифта гора мусора, во дворе нет двора квартиры трубы горячей воды.',
        extra: { propertyAddress: 'ул. Ленина, д. 5, кв. 12' },
        assigneeId: 'op-1',
        expertIds: ['ex-1'],
        expertsSeeContacts: false,
        submittedAt: T0,
      });
      a2 = makeRegisteredAppeal({
        number: '77-2026-000102',
        citizenId: sidorov.id,
        departmentId: dep1,
        categoryId: `cat-other-${uniq()}`,
        type: 'suggestion',
        subject: 'Пособия на ребёнка',
        description: 'Прошу выдать справку для детского сада.',
        extra: {},
        expertIds: ['ex-1'],
        expertsSeeContacts: true,
        status: 'in_progress',
        submittedAt: T0 + 10 * DAY,
      });
      a3 = makeRegisteredAppeal({
        number: '50-2026-000103',
        citizenId: ivanova.id,
        departmentId: dep2,
        subject: 'Электричества нет',
        description: 'Трещины стены, окна не закрываются, ямы посреди дороги и нет освещения.',
        extra: {},
        readerDepartmentIds: [dep1],
        expertsSeeContacts: false,
        submittedAt: T0 + 20 * DAY,
      });
      draft = makeRegisteredAppeal({
        number: null,
        citizenId: ivanova.id,
        departmentId: dep1,
        status: 'draft',
        description: 'Черновик про отопление',
        expertsSeeContacts: false,
      });
      for (const a of [a1, a2, a3, draft]) await s().appeals.create(a);
      await s().search.putAppeal(searchDocOf(a1, ivanova));
      await s().search.putAppeal(searchDocOf(a2, sidorov));
      // Many at once (the catch-up's page) as one at a time.
      await s().search.putAppeals([searchDocOf(a3, ivanova), searchDocOf(draft, ivanova)]);
      await s().search.putChat({ appealId: a2.id, seq: 1, internal: false, text: 'Записались в поликлинике к врача, ждём налога вычета.' }, 1);
      await s().search.putChat({ appealId: a2.id, seq: 2, internal: true, text: 'Проверить регистрации и паспорта заявителя.' }, 2);
    });

    it(`finds each of ${INFLECTED_PAIRS.length} Russian word forms by another form of the word`, async () => {
      const expected: Record<string, AppealRecord> = {};
      for (const w of ['отопление', 'подъезде', 'крыши', 'протечка', 'лифта', 'мусора', 'двора', 'квартиры', 'трубы', 'горячей', 'воды']) expected[w] = a1;
      for (const w of ['пособия', 'справку', 'детского', 'сада', 'поликлинике', 'врача', 'налога', 'вычета', 'регистрации', 'паспорта']) expected[w] = a2;
      for (const w of ['электричества', 'стены', 'окна', 'дороги', 'освещения']) expected[w] = a3;
      const misses: string[] = [];
      for (const [indexed, searched] of INFLECTED_PAIRS) {
        const found = await ids({ text: searched });
        if (JSON.stringify(found) !== JSON.stringify(sorted(expected[indexed]!))) misses.push(`${searched} → ${found.join(',')}`);
      }
      expect(misses).toEqual([]);
    });

    it('asks for every word of the query; stop words and case and «ё» change nothing', async () => {
      expect(await ids({ text: 'ОТОПЛЕНИЯ в подъезд' })).toEqual(sorted(a1));
      expect(await ids({ text: 'отопления пособие' })).toEqual([]);
      expect(await ids({ text: 'Петр' })).toEqual(sorted(a2));
      expect(await ids({ text: 'в и на' })).toEqual([]);
    });

    it('finds by number, whole or its last part', async () => {
      expect(await ids({ text: '77-2026-000101' })).toEqual(sorted(a1));
      expect(await ids({ text: '000103' })).toEqual(sorted(a3));
    });

    it('matches only in the parts a grant allows: the name, the chat, the internal notes', async () => {
      const noName: SearchGrant = { fields: ['number', 'body', 'chat', 'notes'], excludeDrafts: true };
      expect(await ids({ text: 'Ивановой', grants: [noName] })).toEqual([]);
      expect(await ids({ text: 'Ивановой' })).toEqual(sorted(a1, a3));
      // The stemmer cuts «Сидоров» to «сидор» but «Сидорову» to «сидоров»: a name keeps its whole words too.
      expect(await ids({ text: 'Сидорову' })).toEqual(sorted(a2));
      expect(await ids({ text: 'Сидорова' })).toEqual(sorted(a2));
      const citizen: SearchGrant = { fields: ['number', 'body', 'chat'], citizenId: sidorov.id };
      expect(await ids({ text: 'паспорт', grants: [citizen] })).toEqual([]);
      expect(await ids({ text: 'врач', grants: [citizen] })).toEqual(sorted(a2));
      const staff = await s().search.search({ text: 'паспорт', grants: [ALL], limit: 10, offset: 0 });
      expect(staff.items.map((h) => h.chat)).toEqual([[{ seq: 2, internal: true, text: 'Проверить регистрации и паспорта заявителя.' }]]);
      const hit = await s().search.search({ text: 'врача', grants: [citizen], limit: 10, offset: 0 });
      expect(hit.items[0]?.chat).toEqual([{ seq: 1, internal: false, text: 'Записались в поликлинике к врача, ждём налога вычета.' }]);
    });

    it('returns only appeals the grant conditions hold for, drafts left out where asked', async () => {
      expect(await ids({ text: 'нет', grants: [{ ...ALL, departmentId: dep2 }] })).toEqual(sorted(a3));
      expect(await ids({ text: 'нет', grants: [{ ...ALL, departmentId: dep1 }] })).toEqual(sorted(a1));
      expect(await ids({ text: 'отопление', grants: [{ fields: ['body'], citizenId: ivanova.id }] })).toEqual(sorted(a1, draft));
      expect(await ids({ text: 'отопление', grants: [{ fields: ['body'], citizenId: ivanova.id, excludeDrafts: true }] })).toEqual(sorted(a1));
      expect(await ids({ text: 'нет', grants: [{ ...ALL, assigneeId: 'op-1' }] })).toEqual(sorted(a1));
      expect(await ids({ text: 'нет', grants: [{ ...ALL, readerDepartmentId: dep1 }] })).toEqual(sorted(a3));
      const expert: SearchGrant = { fields: ['number', 'body', 'chat', 'notes'], expertId: 'ex-1', excludeDrafts: true };
      expect(await ids({ text: 'Иванова', grants: [expert] })).toEqual([]);
      const expertNames: SearchGrant = { ...expert, fields: SEARCH_FIELDS, expertsSeeContacts: true };
      expect(await ids({ text: 'Сидоров', grants: [expert, expertNames] })).toEqual(sorted(a2));
      expect(await ids({ text: 'Иванова', grants: [expert, expertNames] })).toEqual([]);
      expect(await ids({ text: 'нет', grants: [] })).toEqual([]);
      expect(await ids({ text: 'нет', grants: [{ ...ALL, departmentId: 'dep-nobody' }] })).toEqual([]);
    });

    it('combines the filters with the words: status, category, department, kind, period', async () => {
      const text = 'нет ОР справку';
      expect(await ids({ text: 'справку' })).toEqual(sorted(a2));
      expect(await ids({ text, filter: {} })).toEqual([]);
      expect(await ids({ text: 'ул', filter: { categoryId: cat1 } })).toEqual(sorted(a1));
      expect(await ids({ text: 'нет', filter: { status: 'registered' } })).toEqual(sorted(a1, a3));
      expect(await ids({ text: 'справку', filter: { status: 'registered' } })).toEqual([]);
      expect(await ids({ text: 'нет', filter: { departmentId: dep2 } })).toEqual(sorted(a3));
      expect(await ids({ text: 'справку', filter: { type: 'suggestion' } })).toEqual(sorted(a2));
      expect(await ids({ text: 'справку', filter: { type: 'complaint' } })).toEqual([]);
      expect(await ids({ text: 'нет', filter: { from: T0 + DAY } })).toEqual(sorted(a3));
      expect(await ids({ text: 'нет', filter: { from: T0, to: T0 + 20 * DAY } })).toEqual(sorted(a1));
    });

    it('ranks a match in the number above one in the text, and pages with the total', async () => {
      await s().search.putChat({ appealId: a3.id, seq: 1, internal: false, text: 'Ещё номер 000101 для справки' }, 1);
      const page = await s().search.search({ text: '000101', grants: [ALL], limit: 1, offset: 0 });
      expect(page).toMatchObject({ total: 2, more: false });
      expect(page.items.map((h) => h.appealId)).toEqual([a1.id]);
      const next = await s().search.search({ text: '000101', grants: [ALL], limit: 1, offset: 1 });
      expect(next.items.map((h) => h.appealId)).toEqual([a3.id]);
      expect(next.items[0]!.score).toBeLessThan(page.items[0]!.score);
    });

    it('ranks and counts the newest matches of its window; past them the page says there are more', async () => {
      const batch = uniq();
      const many = Array.from({ length: 6 }, (_, k) =>
        makeRegisteredAppeal({
          number: `${batch}-${k}`,
          citizenId: sidorov.id,
          departmentId: dep2,
          description: 'Сломан шлагбаум во дворе',
          submittedAt: T0 + k * 60_000,
          expertsSeeContacts: false,
        }),
      );
      for (const a of many) await s().appeals.create(a);
      await s().search.putAppeals(many.map((a) => searchDocOf(a, sidorov)));
      const page = await s().search.search({ text: 'шлагбаумы', grants: [ALL], limit: 3, offset: 0, window: 5 });
      expect(page).toMatchObject({ total: 5, more: true });
      // Equal scores: the newer first.
      expect(page.items.map((h) => h.appealId)).toEqual([many[5]!.id, many[4]!.id, many[3]!.id]);
      // One fewer matching: counted exactly.
      await s().search.putAppeal(searchDocOf({ ...many[0]!, version: many[0]!.version + 1, description: 'Шлагбаум починили' }, sidorov));
      expect(await s().search.search({ text: 'сломанный шлагбаум', grants: [ALL], limit: 3, offset: 0, window: 5 })).toMatchObject({
        total: 5,
        more: false,
      });
      // The window by default: SEARCH_WINDOW.
      expect(await s().search.search({ text: 'шлагбаум', grants: [ALL], limit: 3, offset: 0 })).toMatchObject({ total: 6, more: false });
      expect(SEARCH_WINDOW).toBe(1000);
    });

    it('keeps the newest version of an appeal, and follows chat edits and withdrawals', async () => {
      await s().search.putAppeal(searchDocOf({ ...a1, version: 5, description: 'Теперь про газ' }, ivanova));
      await s().search.putAppeal(searchDocOf({ ...a1, version: 4, description: 'Старое про электричество' }, ivanova));
      expect(await ids({ text: 'газа' })).toEqual(sorted(a1));
      expect(await ids({ text: 'протечки' })).toEqual([]);
      await s().search.putAppeals([
        searchDocOf({ ...a3, version: a3.version + 2, description: 'Про уличные фонари' }, ivanova),
        searchDocOf({ ...a3, version: a3.version + 1, description: 'Про уборку снега' }, ivanova),
      ]);
      expect(await ids({ text: 'фонарей' })).toEqual(sorted(a3));
      expect(await ids({ text: 'снег' })).toEqual([]);
      await s().search.putChat({ appealId: a2.id, seq: 1, internal: false, text: 'Исправлено: записались к стоматологу' }, 3);
      expect(await ids({ text: 'врач' })).toEqual([]);
      expect(await ids({ text: 'стоматолога' })).toEqual(sorted(a2));
      await s().search.putChat({ appealId: a2.id, seq: 1, internal: false, text: null }, 4);
      expect(await ids({ text: 'стоматолога' })).toEqual([]);
      const entries = [
        { appealId: a3.id, seq: 1, clientId: 'c1', authorId: 'u', authorRole: 'operator' as const, text: 'Заявка о фонарях', internal: false, at: T0 },
        {
          appealId: a3.id,
          seq: 2,
          clientId: 'c2',
          authorId: 'u',
          authorRole: 'operator' as const,
          text: 'Фонари починили',
          internal: false,
          at: T0,
          editOf: 1,
        },
        { appealId: a3.id, seq: 3, clientId: 'c3', authorId: 'u', authorRole: 'operator' as const, text: 'Отключить свет', internal: true, at: T0 },
        {
          appealId: a3.id,
          seq: 4,
          clientId: 'c4',
          authorId: 'u',
          authorRole: 'operator' as const,
          text: '',
          internal: true,
          at: T0,
          editOf: 3,
          withdrawn: true,
        },
      ];
      await s().search.replaceChat(a3.id, chatDocsOf(entries), 4);
      expect(await ids({ text: 'починили' })).toEqual(sorted(a3));
      expect(await ids({ text: 'заявка' })).toEqual([]);
      expect(await ids({ text: 'отключить' })).toEqual([]);
    });

    it('forgets an erased appeal: its texts, terms and messages leave the index (a deleted account)', async () => {
      expect(await ids({ text: 'врача' })).toEqual(sorted(a2));
      await s().personalData.eraseAppeals([a2.id]);
      expect(await ids({ text: 'врача' })).toEqual([]);
      expect(await ids({ text: 'справку' })).toEqual([]);
      expect(await ids({ text: 'паспорт' })).toEqual([]);
      // Nothing of it is left for the catch-up to find either.
      expect((await s().search.stale(null, 100)).ids).toEqual([]);
    });

    it('names the appeals whose index is behind: not indexed, an older version, a chat log further on', async () => {
      const behind = async (): Promise<string[]> => {
        const out: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page: { ids: string[]; next: string | null } = await s().search.stale(after, 2);
          out.push(...page.ids);
          if (page.next === null) return out.sort();
          after = page.next;
        }
      };
      // a2's chat log is empty in the store while its index holds two messages.
      expect(await behind()).toEqual(sorted(a2));
      await s().search.replaceChat(a2.id, [], 0);
      expect(await behind()).toEqual([]);
      const fresh = makeRegisteredAppeal({ citizenId: ivanova.id, departmentId: dep1, expertsSeeContacts: false });
      await s().appeals.create(fresh);
      expect(await behind()).toEqual(sorted(fresh));
      await s().search.putAppeal(searchDocOf(fresh, ivanova));
      const moved = await s().appeals.update(fresh.id, fresh.version, { subject: 'Новое' });
      expect(await behind()).toEqual(sorted(fresh));
      await s().search.putAppeal(searchDocOf(moved!, ivanova));
      await s().chat.append({ appealId: a3.id, clientId: 'x1', authorId: 'u', authorRole: 'operator', text: 'Привет', internal: false, at: T0 });
      expect(await behind()).toEqual(sorted(a3));
    });
  });
}
