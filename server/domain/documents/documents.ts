/**
 * The decision document and the whole case as printable documents (Russian,
 * the official language of the documents). Built from the views a person gets
 * in the room — the appeal as they may see it, its history, the chat their
 * grant shows, the files — so a PDF holds nothing its reader could not see there.
 */
import { REVIEW_LABELS_RU, STATUS_LABELS_RU, type Actor } from '../../../shared/status-machine.js';
import type { AttachmentSummary, ChatMessage } from '../../../shared/protocol/events.js';
import type { DecisionView, FeedbackView } from '../../../shared/schemas/outcome.schema.js';
import type { AppealView, HistoryView } from '../appeals/appeal.view.js';
import { printDate, printDateTime, printSize, type PrintBlock, type PrintDocument } from './print.model.js';

export const SERVICE_LINE = 'Госуслуги · Совместное решение вопросов';

const ROLE_RU: Record<Actor, string> = {
  citizen: 'заявитель',
  operator: 'сотрудник ведомства',
  expert: 'эксперт',
  supervisor: 'руководитель',
  admin: 'администратор',
  system: 'система',
};
const SIGNER_RU = { operator: 'Сотрудник ведомства', supervisor: 'Руководитель' } as const;
const TYPE_RU = { info_request: 'Информационный запрос', application: 'Заявление', complaint: 'Жалоба', suggestion: 'Предложение' } as const;
const PRIORITY_RU = { low: 'Низкий', normal: 'Обычный', high: 'Высокий', urgent: 'Срочный' } as const;
const CATEGORY_RU = { technical: 'технический', legal: 'юридический', service: 'сервисный' } as const;
const DETAILS_RU: Record<string, string> = {
  service: 'Услуга или страница',
  happenedOn: 'Когда произошло',
  stepsTaken: 'Что уже сделано',
  errorText: 'Текст ошибки',
  expected: 'Ожидаемый результат',
  actual: 'Фактический результат',
  replyContact: 'Контакт для ответа',
};
const LOG_RU: Record<string, string> = {
  rated: 'Решение оценено',
  rating_changed: 'Оценка изменена',
  open: 'Открыта проверка',
  withdraw: 'Проверка не требуется',
  start: 'Проверка начата',
  close: 'Проверка завершена, дан ответ',
  re_examine: 'Начат пересмотр',
  complete: 'Пересмотр завершён',
  checklist: 'Перечень пересмотра',
  overdue: 'Срок проверки истёк',
};

/** «Решение № 2 по обращению № 77-2026-000123» and its kind. */
export function decisionTitle(d: DecisionView): string {
  return `Решение № ${d.seq} по обращению № ${d.appealNumber}`;
}

function decisionKind(d: DecisionView): string {
  const kind = d.kind === 'rejection' ? 'Отклонение обращения' : 'Решение по существу обращения';
  return d.reviewId ? `${kind} (по результатам пересмотра)` : kind;
}

/** The decision as a document of its own: what was decided, on which files, signed by whom and when. */
export function decisionDocument(appeal: AppealView, d: DecisionView, fileNames: ReadonlyMap<string, string>): PrintDocument {
  const facts: [string, string][] = [
    ['Обращение', `№ ${d.appealNumber}`],
    ['Тема', appeal.subject || '—'],
  ];
  if (appeal.citizen) facts.push(['Заявитель', appeal.citizen.fullName]);
  facts.push(['Вид решения', decisionKind(d)], ['Дата решения', d.issuedAt === null ? 'не принято (проект)' : printDate(d.issuedAt)]);
  const blocks: PrintBlock[] = [
    { kind: 'facts', rows: facts },
    { kind: 'heading', text: d.kind === 'rejection' ? 'Причина и рекомендации' : 'Текст решения' },
  ];
  for (const para of d.text.split(/\n{2,}/)) blocks.push({ kind: 'paragraph', text: para });
  if (d.attachmentIds.length > 0) {
    blocks.push({ kind: 'heading', text: 'Приложения' }, { kind: 'list', items: d.attachmentIds.map((id) => fileNames.get(id) ?? 'файл удалён из дела') });
  }
  blocks.push({
    kind: 'signature',
    lines: [
      `${SIGNER_RU[d.signerRole]}${d.departmentName ? `, ${d.departmentName}` : ''}`,
      d.signerName,
      d.issuedAt === null ? `Проект от ${printDate(d.proposedAt)}` : `Подписано ${printDateTime(d.issuedAt)} (МСК)`,
    ],
  });
  return {
    title: decisionTitle(d),
    header: [SERVICE_LINE, d.departmentName].filter(Boolean),
    subtitle: d.issuedAt === null ? 'ПРОЕКТ — решение ожидает подтверждения заявителем' : null,
    blocks,
    footer: `Обращение № ${d.appealNumber} · решение № ${d.seq}`,
  };
}

/** What the case PDF is made of: the views this person gets in the room. */
export interface CaseParts {
  appeal: AppealView;
  /** For the version's name: staff see internal notes. */
  isStaff: boolean;
  /** The reader's part, named in the subtitle. */
  readerRole: 'owner' | 'officer' | 'expert' | 'observer';
  categoryName: string | null;
  departmentName: string | null;
  extraLabels: ReadonlyMap<string, string>;
  history: HistoryView[];
  messages: ChatMessage[];
  attachments: AttachmentSummary[];
  generatedAt: number;
}

/** The whole case: the case file, the description, history, chat, files, decisions, the rating. */
export function caseDocument(p: CaseParts): PrintDocument {
  const a = p.appeal;
  const number = a.number ?? 'без номера';
  const names = new Map(p.attachments.map((f) => [f.id, f.fileName]));
  const blocks: PrintBlock[] = [];

  const facts: [string, string][] = [
    ['Номер', number],
    ['Статус', STATUS_LABELS_RU[a.status]],
    ['Тема обращения', p.categoryName ?? '—'],
    ['Тип', a.type ? TYPE_RU[a.type] : '—'],
    ['Предмет', a.subject || '—'],
    ['Ведомство', p.departmentName ?? '—'],
    ['Регион', a.region],
    ['Приоритет', PRIORITY_RU[a.priority]],
    ['Подано', a.submittedAt === null ? '—' : printDateTime(a.submittedAt)],
    ['Срок ответа', a.deadlineAt === null ? '—' : printDate(a.deadlineAt)],
    ['Исполнитель', a.assigneeName ?? 'не назначен'],
  ];
  if (a.citizen) {
    facts.push(['Заявитель', a.citizen.fullName]);
    if (a.citizen.email) facts.push(['Эл. почта', a.citizen.email]);
    if (a.citizen.phone) facts.push(['Телефон', a.citizen.phone]);
  }
  if (a.applicant.kind === 'legal_entity') facts.push(['Организация', `${a.applicant.orgName}, ИНН ${a.applicant.orgInn}, ОГРН ${a.applicant.ogrn}`]);
  if (a.applicant.kind === 'representative') facts.push(['Действует за', a.applicant.principalName]);
  for (const [key, label] of Object.entries(DETAILS_RU)) {
    const value = (a.details as Record<string, string | undefined>)[key];
    if (value) facts.push([label, value]);
  }
  for (const [key, value] of Object.entries(a.extra)) if (value) facts.push([p.extraLabels.get(key) ?? key, value]);
  blocks.push({ kind: 'heading', text: 'Сведения об обращении' }, { kind: 'facts', rows: facts });

  blocks.push({ kind: 'heading', text: 'Описание' });
  blocks.push(a.description.trim() ? { kind: 'paragraph', text: a.description.trim() } : { kind: 'paragraph', text: 'Описание не заполнено', isMuted: true });

  blocks.push({ kind: 'heading', text: 'История статусов' });
  if (p.history.length === 0) blocks.push({ kind: 'paragraph', text: 'Статус не менялся', isMuted: true });
  for (const h of p.history) {
    const who = h.actorName ? `${h.actorName} (${ROLE_RU[h.actorRole]})` : ROLE_RU[h.actorRole];
    blocks.push({ kind: 'entry', head: `${printDateTime(h.at)} · ${STATUS_LABELS_RU[h.from]} → ${STATUS_LABELS_RU[h.to]} · ${who}`, text: h.comment ?? '' });
  }

  blocks.push({ kind: 'heading', text: 'Переписка' });
  if (p.messages.length === 0) blocks.push({ kind: 'paragraph', text: 'Сообщений нет', isMuted: true });
  // Edit entries carry a message's later state, which the message itself shows: one entry per message.
  for (const m of p.messages.filter((x) => x.editOf === undefined)) {
    const changed = m.withdrawn ? ' · отозвано' : m.editedAt !== undefined ? ` · изменено ${printDateTime(m.editedAt)}` : '';
    const head = `${printDateTime(m.at)} · ${m.authorName} (${ROLE_RU[m.authorRole]})${m.internal ? ' · служебная заметка' : ''}${changed}`;
    // Earlier texts reach staff only (the chat service sends them to staff alone).
    const earlier = (m.revisions ?? []).map((r) => `${printDateTime(r.at)}: ${r.text}`);
    blocks.push({
      kind: 'entry',
      head,
      text: m.withdrawn ? 'Сообщение отозвано автором' : m.text,
      ...(earlier.length > 0 ? { note: `Прежние редакции: ${earlier.join(' | ')}` } : {}),
    });
  }

  blocks.push({ kind: 'heading', text: 'Файлы дела' });
  if (p.attachments.length === 0) blocks.push({ kind: 'paragraph', text: 'Файлов нет', isMuted: true });
  for (const f of p.attachments) {
    const versions = f.versions.map(
      (v) =>
        `версия ${v.version}${v.version === f.currentVersion ? ' (текущая)' : ''}: ${v.fileName}, ${printSize(v.size)}, ${v.uploadedByName || '—'}, ${printDateTime(v.at)}${
          v.restoredFrom ? `, восстановлена из версии ${v.restoredFrom}` : ''
        }`,
    );
    blocks.push({ kind: 'entry', head: f.fileName, text: versions.join('\n') });
  }

  blocks.push({ kind: 'heading', text: 'Решения' });
  if (a.decisions.length === 0) blocks.push({ kind: 'paragraph', text: 'Решений нет', isMuted: true });
  for (const d of a.decisions) {
    const when = d.issuedAt === null ? `проект от ${printDate(d.proposedAt)}, ожидает подтверждения` : `от ${printDate(d.issuedAt)}`;
    const files = d.attachmentIds.map((id) => names.get(id) ?? 'файл удалён из дела');
    blocks.push({
      kind: 'entry',
      head: `№ ${d.seq} ${when} · ${decisionKind(d)} · ${d.signerName} (${SIGNER_RU[d.signerRole].toLowerCase()})`,
      text: d.text,
      ...(files.length > 0 ? { note: `Приложения: ${files.join(', ')}` } : {}),
    });
  }

  blocks.push({ kind: 'heading', text: 'Оценка решения и проверка' });
  blocks.push(...feedbackBlocks(a.feedback, names));

  const version = p.isStaff ? 'Версия для сотрудников (со служебными заметками)' : p.readerRole === 'owner' ? 'Версия для заявителя' : 'Версия участника';
  return {
    title: `Дело по обращению № ${number}`,
    header: [SERVICE_LINE, p.departmentName ?? ''].filter(Boolean),
    subtitle: `${version} · сформировано ${printDateTime(p.generatedAt)} (МСК)`,
    blocks,
    footer: `Дело № ${number}`,
  };
}

function feedbackBlocks(f: FeedbackView | null, names: ReadonlyMap<string, string>): PrintBlock[] {
  if (!f) return [{ kind: 'paragraph', text: 'Решение не оценено', isMuted: true }];
  const rows: [string, string][] = [
    ['Оценка', `${f.stars} из 5`],
    ['Категория замечаний', CATEGORY_RU[f.category]],
    ['Замечания', f.remarks || '—'],
    ['Жалоба', f.isComplaint ? 'да' : 'нет'],
  ];
  if (f.attachmentId) rows.push(['Файл', names.get(f.attachmentId) ?? 'файл удалён из дела']);
  const r = f.review;
  if (r) {
    rows.push(['Проверка', REVIEW_LABELS_RU[r.state]], ['Срок проверки', printDate(r.dueAt)]);
    if (r.reply) rows.push(['Ответ руководителя', r.reply]);
  }
  const blocks: PrintBlock[] = [{ kind: 'facts', rows }];
  if (r && r.checklist.length > 0) {
    blocks.push({ kind: 'paragraph', text: 'Что пересматривается:' });
    blocks.push({ kind: 'list', items: r.checklist.map((i) => `${i.doneAt ? '[выполнено] ' : '[ ] '}${i.text}`) });
  }
  for (const e of f.log)
    blocks.push({
      kind: 'entry',
      head: `${printDateTime(e.at)} · ${LOG_RU[e.action] ?? e.action}${e.actorName ? ` · ${e.actorName}` : ''}`,
      text: e.note ?? '',
    });
  return blocks;
}
