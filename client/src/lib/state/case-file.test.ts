import { beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY, DEPARTMENT, draftAppeal } from '../../test/fake-api';
import type { Appeal } from '../api-types';
import { i18n } from '../i18n/i18n.svelte';
import { caseFileSections, type CaseFileSection } from './case-file';

beforeEach(() => {
  i18n.setLocale('ru');
});

const filed = (patch: Partial<Appeal>): Appeal =>
  draftAppeal(4, {
    number: '77-2026-000123',
    status: 'in_progress',
    departmentId: DEPARTMENT.id,
    submittedAt: Date.UTC(2026, 2, 2, 9, 0),
    roomRole: 'officer',
    extra: { accountNumber: '1234567890', since: '2026-02-01' },
    details: { stepsTaken: 'Позвонил в ЕИРЦ', expected: 'Перерасчёт', happenedOn: '2026-02-28' },
    ...patch,
  });

/** Each section as `title` → rows `label: value`, and its note. */
function shown(sections: CaseFileSection[]): Record<string, string[]> {
  return Object.fromEntries(sections.map((s) => [s.title, [...s.rows.map((r) => `${r.label}: ${r.value}`), ...(s.note ? [`(${s.note})`] : [])]]));
}

describe('the case file', () => {
  it('shows the category’s fields with its labels, the details, a legal entity with ИНН and ОГРН, and the contacts given', () => {
    const appeal = filed({
      applicant: { kind: 'legal_entity', orgName: 'ООО «Ромашка»', orgInn: '7707083893', ogrn: '1027700132195' },
      citizen: { fullName: 'Иванов Иван Иванович', email: 'ivanov@example.ru', phone: '+79990001122' },
      details: { stepsTaken: 'Позвонил в ЕИРЦ', expected: 'Перерасчёт', happenedOn: '2026-02-28', replyContact: 'reply@example.ru' },
    });
    const s = shown(caseFileSections(appeal, CATEGORY, DEPARTMENT));
    expect(s['Сведения по теме «ЖКХ — начисления»']).toEqual(['Лицевой счёт: 1234567890', 'С какого числа: 1 февраля 2026 г.']);
    expect(s['Подробности проблемы']).toEqual([
      'Когда это произошло: 28 февраля 2026 г.',
      'Предпринятые шаги: Позвонил в ЕИРЦ',
      'Ожидаемый результат: Перерасчёт',
    ]);
    expect(s['Заявитель']).toEqual([
      'Кто подаёт: Представитель юридического лица',
      'Название организации: ООО «Ромашка»',
      'ИНН организации: 7707083893',
      'ОГРН: 1027700132195',
    ]);
    expect(s['Контакты заявителя']).toEqual([
      'ФИО: Иванов Иван Иванович',
      'Электронная почта: ivanov@example.ru',
      'Телефон: +79990001122',
      'Контакт для ответа: reply@example.ru',
    ]);
    expect(s['Обращение']?.slice(0, 3)).toEqual(['Тип обращения: Жалоба', 'Категория: ЖКХ — начисления', 'Ведомство: Департамент ЖКХ']);
  });

  it('says who sees the contacts when the server withheld them, to an officer and to an expert', () => {
    expect(shown(caseFileSections(filed({ citizen: null }), CATEGORY, DEPARTMENT))['Контакты заявителя']).toEqual([
      '(ФИО и контактные данные заявителя видят только исполнитель обращения и руководитель (152-ФЗ).)',
    ]);
    expect(shown(caseFileSections(filed({ citizen: null, roomRole: 'expert' }), CATEGORY, DEPARTMENT))['Контакты заявителя']).toEqual([
      '(Заявитель не разрешил показывать эксперту свои контактные данные.)',
    ]);
  });

  it('shows a representative with the principal and the power of attorney, marks empty fields, and notes missing details', () => {
    const appeal = filed({ applicant: { kind: 'representative', principalName: 'Сидорова Анна', representativeKind: 'lawyer' }, extra: {}, details: {} });
    const s = shown(caseFileSections(appeal, CATEGORY, DEPARTMENT));
    expect(s['Заявитель']).toEqual([
      'Кто подаёт: Посредник (действую за другого человека)',
      'За кого действует: Сидорова Анна',
      'Кем является: Юрист',
      'Доверенность: требуется (прикладывается в разделе «Файлы»)',
    ]);
    expect(s['Сведения по теме «ЖКХ — начисления»']).toEqual(['Лицевой счёт: не указано', 'С какого числа: не указано']);
    expect(s['Подробности проблемы']).toEqual(['(Заявитель не указал подробностей.)']);
  });
});
