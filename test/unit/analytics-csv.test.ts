/**
 * The appeals-behind-a-figure CSV: more than MAX_CSV_ROWS is refused before
 * any row is written, and what is written is UTF-8 text with a BOM, `;`,
 * quotes doubled and formula-leading fields neutralised, a page at a time.
 */
import { describe, expect, it } from 'vitest';
import { AnalyticsService, csvField } from '../../server/domain/analytics/analytics.service.js';
import { DomainError } from '../../server/domain/errors.js';
import { ManualClock } from '../../server/lib/clock.js';
import type { Store } from '../../server/store/store.js';
import { MAX_CSV_ROWS } from '../../shared/schemas/analytics.schema.js';
import { makeRegisteredAppeal } from '../helpers/factories.js';

const admin = { id: 'admin-0000000001', role: 'admin' as const, departmentId: null, sessionId: 's' };
const query = { from: '2026-01-01', to: '2026-12-31', figure: 'received' as const };

function storeWith(total: number, reads: number[]): Store {
  const items = Array.from({ length: Math.min(total, 1000) }, (_, i) =>
    makeRegisteredAppeal({
      number: `77-2026-${String(i).padStart(6, '0')}`,
      subject: i === 0 ? '=HYPERLINK("x")' : 'Протечка; крыша "течёт"',
      categoryId: 'cat-0000000001',
    }),
  );
  return {
    analytics: {
      appeals: (_f: unknown, _fig: unknown, _now: number, page: { limit: number; offset: number }) => {
        reads.push(page.limit);
        return Promise.resolve({ items: page.limit === 0 ? [] : items.slice(0, Math.max(0, Math.min(page.limit, total - page.offset))), total });
      },
    },
    catalogue: { listCategories: () => Promise.resolve([{ id: 'cat-0000000001', name: 'Жилищные вопросы' }]) },
  } as unknown as Store;
}

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const chunk of gen) out += chunk;
  return out;
}

describe('analytics CSV', () => {
  it('refuses more than a million rows before writing anything', async () => {
    const reads: number[] = [];
    const service = new AnalyticsService({ store: storeWith(MAX_CSV_ROWS + 1, reads), clock: new ManualClock() });
    const error = await collect(service.csv(admin, query)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((error as DomainError).message).toMatch(/^Выгрузка больше 1\s000\s000 строк/);
    expect(reads).toEqual([0]);
  });

  it('writes a BOM, a Russian header and quoted, neutralised fields, a page at a time', async () => {
    const reads: number[] = [];
    const text = await collect(new AnalyticsService({ store: storeWith(3, reads), clock: new ManualClock() }).csv(admin, query));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('\uFEFFНомер;Тема;Статус;Вид;Категория;Регион;Поступило;Срок');
    expect(lines[1]).toBe(`77-2026-000000;"'=HYPERLINK(""x"")";registered;complaint;Жилищные вопросы;77;2026-03-02;2026-04-01`);
    expect(lines[2]).toBe('77-2026-000001;"Протечка; крыша ""течёт""";registered;complaint;Жилищные вопросы;77;2026-03-02;2026-04-01');
    expect(lines).toHaveLength(5);
    expect(reads).toEqual([0, 1000]);
    expect(csvField(null)).toBe('');
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(-1)).toBe('-1');
  });
});
