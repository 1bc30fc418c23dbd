import { describe, expect, it } from 'vitest';
import { content as en } from '../../views/help/content/en';
import { content as ru } from '../../views/help/content/ru';
import { searchFaq, stemOf, wordsOf } from './faq-search';

const entries = [
  { q: 'Я забыл пароль', a: 'Нажмите «Забыли пароль?» на странице входа.' },
  { q: 'Какие сроки рассмотрения?', a: 'Ответ — в течение 30 дней; срок продлевают не больше чем на 30 дней.' },
  { q: 'Какие файлы прикладывать?', a: 'Документы PDF, DOCX, JPG и PNG.' },
  { q: 'Ещё вопрос', a: 'Про ёлку и счёт.' },
];

describe('FAQ search', () => {
  it('reads words case-insensitively with ё as е', () => {
    expect(wordsOf('Ёлка, СЧЁТ и «PDF»!')).toEqual(['елка', 'счет', 'и', 'pdf']);
  });

  it('drops a Russian ending but keeps three letters', () => {
    expect(['пароля', 'сроки', 'документов', 'файлами', 'срок', 'код'].map(stemOf)).toEqual(['парол', 'срок', 'документ', 'файл', 'срок', 'код']);
  });

  it('finds an entry by an inflected word, a prefix, in any case, with ё or е', () => {
    expect(searchFaq(entries, 'пароля').map((e) => e.q)).toEqual(['Я забыл пароль']);
    expect(searchFaq(entries, 'СРОКАМИ').map((e) => e.q)).toEqual(['Какие сроки рассмотрения?']);
    expect(searchFaq(entries, 'документов').map((e) => e.q)).toEqual(['Какие файлы прикладывать?']);
    expect(searchFaq(entries, 'елку счет').map((e) => e.q)).toEqual(['Ещё вопрос']);
    expect(searchFaq(entries, 'ёлка').map((e) => e.q)).toEqual(['Ещё вопрос']);
    expect(searchFaq(entries, 'рассм').map((e) => e.q)).toEqual(['Какие сроки рассмотрения?']);
  });

  it('needs every word of the query, and gives the whole list for an empty one', () => {
    expect(searchFaq(entries, 'пароль срок')).toEqual([]);
    expect(searchFaq(entries, '  ')).toEqual(entries);
    expect(searchFaq(entries, 'налог')).toEqual([]);
  });

  it('searches the shipped FAQ in both languages', () => {
    expect(searchFaq(ru.faq, 'пароля').map((e) => e.q)).toEqual(['Я забыл пароль. Как восстановить доступ?']);
    expect(searchFaq(ru.faq, 'кодом подтверждения').map((e) => e.q)).toEqual(['Не приходит код подтверждения. Что делать?']);
    expect(searchFaq(en.faq, 'Passwords').map((e) => e.q)).toEqual(['I forgot my password. How do I get access back?']);
    expect(ru.faq).toHaveLength(en.faq.length);
  });
});
