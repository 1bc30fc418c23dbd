/**
 * What search costs (docs/search.md, "Cost"): the stemmer per word, indexing
 * per appeal (`store.search.putAppeal` with a realistic description), and the
 * p50/p95 of a two-word Russian query for one department's operator over N
 * appeals in 7 departments on SQLite. Run: `node --import tsx
 * test/bench/search-cost.ts [appeals=100000]`; prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { searchDocOf } from '../../server/domain/search/search-doc.js';
import { grantsFor } from '../../server/domain/search/search.service.js';
import { termsOf } from '../../server/store/search-text.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { makeRegisteredAppeal } from '../helpers/factories.js';

const N = Number(process.argv[2] ?? 100_000);
const WORDS = (
  'отопление подъезд крыша протечка батарея лифт мусор двор квартира подвал труба горячая вода пособие справка детский сад ' +
  'поликлиника врач налог вычет регистрация паспорт электричество стена окно яма дорога освещение шум сосед парковка тариф ' +
  'квитанция перерасчёт счётчик управляющая компания ремонт фасад подъезда уборка снега наледь сосулька канализация запах'
).split(' ');
const ENDINGS = ['', 'а', 'е', 'и', 'ы', 'у', 'ой', 'ами', 'ах'];
let seed = 42;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const sentence = (words: number): string => Array.from({ length: words }, () => `${WORDS[rnd(WORDS.length)]!}${ENDINGS[rnd(ENDINGS.length)]!}`).join(' ');
const pct = (xs: number[], p: number): number => Number([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!.toFixed(2));

const dir = mkdtempSync(path.join(tmpdir(), 'search-cost-'));
const store = await openSqliteStore({ dataDir: dir });
try {
  const text = sentence(200000);
  let t = performance.now();
  const words = termsOf(text).length;
  const stemNsPerWord = ((performance.now() - t) * 1e6) / words;

  const departments = Array.from({ length: 7 }, (_, i) => `dep-bench-${i}-aaaaaaaa`);
  const batch = 2000;
  let indexMs = 0;
  let createMs = 0;
  for (let done = 0; done < N; done += batch) {
    const appeals = Array.from({ length: Math.min(batch, N - done) }, (_, i) =>
      makeRegisteredAppeal({
        number: `77-2026-${String(done + i).padStart(6, '0')}`,
        departmentId: departments[(done + i) % 7]!,
        subject: sentence(4),
        description: sentence(60),
        extra: { propertyAddress: `ул. ${sentence(1)}, д. ${rnd(100)}` },
        expertsSeeContacts: false,
      }),
    );
    t = performance.now();
    await Promise.all(appeals.map((a) => store.appeals.create(a)));
    createMs += performance.now() - t;
    t = performance.now();
    await Promise.all(appeals.map((a) => store.search.putAppeal(searchDocOf(a, { fullName: 'Иванов Иван Иванович' }))));
    indexMs += performance.now() - t;
  }
  const grants = grantsFor({ id: 'op-bench', role: 'operator', departmentId: departments[0]!, sessionId: 's' });
  const queries = ['протечка крыши', 'отопления подъезде', 'горячей воды', 'уборка снега', 'счётчика тарифа', 'вычет налога'];
  const times: number[] = [];
  let totals = 0;
  for (let i = 0; i < 60; i++) {
    t = performance.now();
    const page = await store.search.search({ text: queries[i % queries.length]!, grants, limit: 20, offset: 0 });
    times.push(performance.now() - t);
    totals += page.total;
  }
  console.log(
    JSON.stringify({
      appeals: N,
      stemNsPerWord: Number(stemNsPerWord.toFixed(0)),
      createUsPerAppeal: Number(((createMs * 1000) / N).toFixed(0)),
      indexUsPerAppeal: Number(((indexMs * 1000) / N).toFixed(0)),
      twoWordQueryMs: { p50: pct(times, 50), p95: pct(times, 95), meanHitsPerQuery: Math.round(totals / times.length) },
    }),
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
