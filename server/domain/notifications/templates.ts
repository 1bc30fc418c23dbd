/**
 * The texts of notifications, Russian first and English second, by topic.
 * A topic names what happened (`status.registered`, `action.info_requested`,
 * `deadline.reminder`, …); its params are numbers, dates and labels only,
 * never free text someone typed (a comment, a chat message), so that an
 * e-mail or SMS carries nothing beyond what the room's link leads to.
 */
import type { Language } from '../../../shared/schemas/notification.schema.js';

export interface TemplateParams {
  /** The appeal's number, e.g. 77-2026-000123 (absent for a digest). */
  number?: string;
  /** A date already formatted for the person (their language and time zone). */
  date?: string;
  /** A count (working days left, overdue appeals, extension days). */
  count?: number;
}

export interface Rendered {
  title: string;
  body: string;
}

type Text = (p: TemplateParams) => Rendered;

const ruDays = (n: number): string => {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return `${n} рабочий день`;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return `${n} рабочих дня`;
  return `${n} рабочих дней`;
};
const ruAppeals = (n: number): string => {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return `${n} обращение`;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return `${n} обращения`;
  return `${n} обращений`;
};
const enDays = (n: number): string => `${n} working day${n === 1 ? '' : 's'}`;

const RU: Record<string, Text> = {
  'status.registered': (p) => ({ title: 'Обращение принято', body: `Обращение № ${p.number} зарегистрировано и передано в ведомство.` }),
  'status.in_progress': (p) => ({ title: 'Обращение в работе', body: `Сотрудник ведомства взял обращение № ${p.number} в работу.` }),
  'status.resumed': (p) => ({ title: 'Обращение снова в работе', body: `Работа по обращению № ${p.number} продолжена.` }),
  'status.rejected': (p) => ({ title: 'Обращение отклонено', body: `Обращение № ${p.number} отклонено. Причина — в комнате обращения.` }),
  'status.confirmed': (p) => ({ title: 'Решение подтверждено', body: `Заявитель подтвердил решение по обращению № ${p.number}.` }),
  'status.auto_confirmed': (p) => ({
    title: 'Решение подтверждено автоматически',
    body: `Возражений не поступило: решение по обращению № ${p.number} подтверждено.`,
  }),
  'status.reopened': (p) => ({ title: 'Обращение возобновлено', body: `Руководитель возобновил работу по обращению № ${p.number}.` }),
  'status.closed': (p) => ({ title: 'Работа по обращению завершена', body: `Обращение № ${p.number} закрыто.` }),
  'status.answered': (p) => ({ title: 'Дан ответ', body: `На обращение № ${p.number} дан ответ. Он — в комнате обращения.` }),
  'status.escalated': (p) => ({
    title: 'Обращение направлено в вышестоящую инстанцию',
    body: `В вышестоящем ведомстве создано обращение № ${p.number}; исходное обращение связано с ним.`,
  }),
  'status.escalation_answered': (p) => ({ title: 'Ответ вышестоящего ведомства', body: `Вышестоящее ведомство ответило по обращению № ${p.number}.` }),
  'status.suggestion_marked': (p) => ({ title: 'Изменена отметка о предложении', body: `Изменена отметка о рассмотрении предложения № ${p.number}.` }),
  'action.escalated_in': (p) => ({
    title: 'Обращение из нижестоящего ведомства',
    body: `В ведомство направлено обращение № ${p.number} из нижестоящего ведомства.`,
  }),
  'status.chat_message': (p) => ({ title: 'Новое сообщение', body: `Новое сообщение в чате обращения № ${p.number}.` }),
  'status.extended': (p) => ({ title: 'Срок ответа продлён', body: `Срок ответа по обращению № ${p.number} продлён до ${p.date}.` }),
  'status.redirected': (p) => ({
    title: 'Обращение перенаправлено',
    body: `Обращение № ${p.number} направлено в ведомство, к компетенции которого относится вопрос.`,
  }),
  'action.info_requested': (p) => ({
    title: 'Требуются сведения',
    body: `По обращению № ${p.number} нужны дополнительные сведения. Ответьте в комнате обращения.`,
  }),
  'action.info_provided': (p) => ({ title: 'Заявитель ответил', body: `Заявитель предоставил сведения по обращению № ${p.number}.` }),
  'action.resolution_proposed': (p) => ({
    title: 'Предложено решение',
    body: `По обращению № ${p.number} предложено решение. Подтвердите или оспорьте его до ${p.date}, иначе оно будет подтверждено автоматически.`,
  }),
  'action.autoconfirm_soon': (p) => ({
    title: 'Завтра решение подтвердится',
    body: `Решение по обращению № ${p.number} будет подтверждено автоматически ${p.date}.`,
  }),
  'action.disputed': (p) => ({ title: 'Решение оспорено', body: `Заявитель оспорил решение по обращению № ${p.number}.` }),
  'action.assigned': (p) => ({ title: 'Вам назначено обращение', body: `Вам назначено обращение № ${p.number}.` }),
  'action.invited': (p) => ({ title: 'Приглашение в обращение', body: `Вас пригласили экспертом в обращение № ${p.number}.` }),
  'action.supplement': (p) => ({ title: 'Обращение дополнено', body: `Заявитель дополнил или исправил обращение № ${p.number}.` }),
  'action.redirected_in': (p) => ({ title: 'Поступило перенаправленное обращение', body: `В ведомство перенаправлено обращение № ${p.number}.` }),
  'deadline.reminder': (p) => ({ title: 'Приближается срок', body: `До срока по обращению № ${p.number} осталось ${ruDays(p.count ?? 0)} (${p.date}).` }),
  'deadline.missed': (p) => ({ title: 'Срок нарушен', body: `Срок по обращению № ${p.number} истёк ${p.date}.` }),
  'deadline.extended': (p) => ({ title: 'Срок продлён', body: `Срок ответа по обращению № ${p.number} продлён до ${p.date}.` }),
  'deadline.digest': (p) => ({ title: 'Просроченные обращения', body: `В ведомстве просрочено ${ruAppeals(p.count ?? 0)} на ${p.date}.` }),
  'account.export_ready': (p) => ({
    title: 'Выгрузка ваших данных готова',
    body: `Архив с вашими данными можно скачать в профиле, в разделе «Мои данные». Ссылка действует 24 часа (до ${p.date}).`,
  }),
  'action.review_opened': (p) => ({
    title: 'Отзыв на проверку',
    body: `Заявитель низко оценил решение по обращению № ${p.number}. Проверьте его до ${p.date}.`,
  }),
  'deadline.review_overdue': (p) => ({ title: 'Срок проверки отзыва истёк', body: `Отзыв на решение по обращению № ${p.number} не проверен в срок.` }),
  'status.review_started': (p) => ({ title: 'Отзыв на проверке', body: `Руководитель начал проверку вашего отзыва на решение по обращению № ${p.number}.` }),
  'status.review_closed': (p) => ({
    title: 'Проверка отзыва завершена',
    body: `Руководитель ответил на ваш отзыв по обращению № ${p.number}. Ответ — в комнате обращения.`,
  }),
  'status.re_examination': (p) => ({ title: 'Решение пересматривается', body: `Решение по обращению № ${p.number} направлено на пересмотр.` }),
  'status.re_examination_completed': (p) => ({ title: 'Пересмотр завершён', body: `По обращению № ${p.number} принято новое решение.` }),
};

const EN: Record<string, Text> = {
  'status.registered': (p) => ({ title: 'Appeal registered', body: `Appeal No. ${p.number} has been registered and sent to the department.` }),
  'status.in_progress': (p) => ({ title: 'Appeal in progress', body: `An officer has taken appeal No. ${p.number}.` }),
  'status.resumed': (p) => ({ title: 'Appeal back in progress', body: `Work on appeal No. ${p.number} has resumed.` }),
  'status.rejected': (p) => ({ title: 'Appeal rejected', body: `Appeal No. ${p.number} was rejected. The reason is in the appeal's room.` }),
  'status.confirmed': (p) => ({ title: 'Resolution confirmed', body: `The applicant confirmed the resolution of appeal No. ${p.number}.` }),
  'status.auto_confirmed': (p) => ({
    title: 'Resolution confirmed automatically',
    body: `No objection was raised: the resolution of appeal No. ${p.number} is confirmed.`,
  }),
  'status.reopened': (p) => ({ title: 'Appeal reopened', body: `A supervisor reopened appeal No. ${p.number}.` }),
  'status.answered': (p) => ({ title: 'Answer given', body: `Appeal No. ${p.number} has been answered. The answer is in its room.` }),
  'status.escalated': (p) => ({
    title: 'Appeal sent to a higher authority',
    body: `Appeal No. ${p.number} was created in the higher department, linked to the original appeal.`,
  }),
  'status.escalation_answered': (p) => ({ title: "The higher department's answer", body: `The higher department answered about appeal No. ${p.number}.` }),
  'status.suggestion_marked': (p) => ({ title: 'Suggestion mark changed', body: `The mark of suggestion No. ${p.number} was changed.` }),
  'action.escalated_in': (p) => ({ title: 'Appeal from a lower department', body: `Appeal No. ${p.number} was sent to your department from a lower one.` }),
  'status.closed': (p) => ({ title: 'Appeal closed', body: `Appeal No. ${p.number} is closed.` }),
  'status.chat_message': (p) => ({ title: 'New message', body: `A new message in the chat of appeal No. ${p.number}.` }),
  'status.extended': (p) => ({ title: 'Answer deadline extended', body: `The answer to appeal No. ${p.number} is now due by ${p.date}.` }),
  'status.redirected': (p) => ({ title: 'Appeal redirected', body: `Appeal No. ${p.number} was sent to the department competent for the question.` }),
  'action.info_requested': (p) => ({
    title: 'Information requested',
    body: `Appeal No. ${p.number} needs more information. Please answer in the appeal's room.`,
  }),
  'action.info_provided': (p) => ({ title: 'The applicant answered', body: `The applicant provided the information for appeal No. ${p.number}.` }),
  'action.resolution_proposed': (p) => ({
    title: 'Resolution proposed',
    body: `A resolution was proposed for appeal No. ${p.number}. Confirm or dispute it by ${p.date}, or it will be confirmed automatically.`,
  }),
  'action.autoconfirm_soon': (p) => ({
    title: 'Resolution confirms tomorrow',
    body: `The resolution of appeal No. ${p.number} will be confirmed automatically on ${p.date}.`,
  }),
  'action.disputed': (p) => ({ title: 'Resolution disputed', body: `The applicant disputed the resolution of appeal No. ${p.number}.` }),
  'action.assigned': (p) => ({ title: 'Appeal assigned to you', body: `Appeal No. ${p.number} was assigned to you.` }),
  'action.invited': (p) => ({ title: 'Invitation to an appeal', body: `You were invited as an expert to appeal No. ${p.number}.` }),
  'action.supplement': (p) => ({ title: 'Appeal supplemented', body: `The applicant supplemented or corrected appeal No. ${p.number}.` }),
  'action.redirected_in': (p) => ({ title: 'Redirected appeal received', body: `Appeal No. ${p.number} was redirected to your department.` }),
  'deadline.reminder': (p) => ({
    title: 'Deadline approaching',
    body: `${enDays(p.count ?? 0)} left until the deadline of appeal No. ${p.number} (${p.date}).`,
  }),
  'deadline.missed': (p) => ({ title: 'Deadline missed', body: `The deadline of appeal No. ${p.number} passed on ${p.date}.` }),
  'deadline.extended': (p) => ({ title: 'Deadline extended', body: `The answer to appeal No. ${p.number} is now due by ${p.date}.` }),
  'account.export_ready': (p) => ({
    title: 'Your data export is ready',
    body: `Download the archive of your data from your profile, under «My data». The link is valid for 24 hours (until ${p.date}).`,
  }),
  'deadline.digest': (p) => ({
    title: 'Overdue appeals',
    body: `${p.count ?? 0} overdue appeal${p.count === 1 ? '' : 's'} in the department as of ${p.date}.`,
  }),
  'action.review_opened': (p) => ({
    title: 'Feedback to review',
    body: `The applicant rated the decision on appeal No. ${p.number} low. Review it by ${p.date}.`,
  }),
  'deadline.review_overdue': (p) => ({
    title: 'Feedback review overdue',
    body: `The feedback on the decision of appeal No. ${p.number} was not reviewed in time.`,
  }),
  'status.review_started': (p) => ({ title: 'Feedback under review', body: `A supervisor started reviewing your feedback on appeal No. ${p.number}.` }),
  'status.review_closed': (p) => ({
    title: 'Feedback reviewed',
    body: `A supervisor answered your feedback on appeal No. ${p.number}. The answer is in the appeal's room.`,
  }),
  'status.re_examination': (p) => ({ title: 'Decision re-examined', body: `The decision on appeal No. ${p.number} is being re-examined.` }),
  'status.re_examination_completed': (p) => ({ title: 'Re-examination completed', body: `A new decision was made on appeal No. ${p.number}.` }),
};

export const TOPICS: readonly string[] = Object.keys(RU);

/** The title and body of a topic in a language. */
export function render(topic: string, language: Language, params: TemplateParams): Rendered {
  const text = (language === 'en' ? EN : RU)[topic] ?? RU[topic];
  if (!text) throw new Error(`no template for notification topic ${topic}`);
  return text(params);
}

/** A date (and, with `time`, the hour) as the person reads it, in their time zone. */
export function formatDate(at: number, language: Language, timeZone: string, time = false): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    ...(time ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(at);
}

/** The parts of an e-mail and SMS around one or several notices. */
export interface Envelope {
  title: string;
  body: string;
  /** Absolute link to the room, or to the journal for a merged message. */
  link: string;
}

const MAIL = {
  ru: {
    single: (n: string | null, title: string) => (n ? `Обращение № ${n}: ${title}` : title),
    merged: (count: number, numbers: string[]) =>
      `${count} уведомлени${count % 10 >= 2 && count % 10 <= 4 && (count % 100 < 12 || count % 100 > 14) ? 'я' : 'й'} по обращениям № ${numbers.join(', ')}`,
    open: 'Открыть обращение',
    journal: 'Все уведомления',
    settings: 'Настроить уведомления или отписаться',
    footer: 'Это письмо отправлено автоматически сервисом «Госуслуги — совместное решение вопросов».',
    sms: (n: string | null, title: string) => `Госуслуги: ${n ? `обращение № ${n} — ` : ''}${title}.`,
    smsMerged: (count: number, numbers: string[]) => `Госуслуги: ${count} уведомл. по обращениям № ${numbers.join(', ')}. Подробнее в личном кабинете.`,
  },
  en: {
    single: (n: string | null, title: string) => (n ? `Appeal No. ${n}: ${title}` : title),
    merged: (count: number, numbers: string[]) => `${count} notifications on appeals No. ${numbers.join(', ')}`,
    open: 'Open the appeal',
    journal: 'All notifications',
    settings: 'Notification settings or unsubscribe',
    footer: 'This message was sent automatically by the Gosuslugi case room.',
    sms: (n: string | null, title: string) => `Gosuslugi: ${n ? `appeal No. ${n} — ` : ''}${title}.`,
    smsMerged: (count: number, numbers: string[]) => `Gosuslugi: ${count} notifications on appeals No. ${numbers.join(', ')}. Details in your account.`,
  },
} as const;

export interface MailNotice {
  appealNumber: string | null;
  title: string;
  body: string;
  link: string;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One e-mail for one or several notices: subject with the appeal number(s), text and HTML with links. */
export function composeMail(
  language: Language,
  notices: readonly MailNotice[],
  urls: { journal: string; settings: string },
): { subject: string; text: string; html: string } {
  const t = MAIL[language];
  const numbers = [...new Set(notices.map((n) => n.appealNumber).filter((n): n is string => n !== null))];
  const [first] = notices;
  if (!first) throw new Error('a mail needs a notice');
  const subject = notices.length === 1 ? t.single(first.appealNumber, first.title) : t.merged(notices.length, numbers);
  const text = [
    ...notices.flatMap((n) => [n.title, n.body, `${t.open}: ${n.link}`, '']),
    `${t.journal}: ${urls.journal}`,
    `${t.settings}: ${urls.settings}`,
    '',
    t.footer,
  ].join('\n');
  const items = notices
    .map(
      (n) =>
        `<h2 style="font-size:16px;margin:16px 0 4px">${escapeHtml(n.title)}</h2><p style="margin:0 0 4px">${escapeHtml(n.body)}</p><p style="margin:0"><a href="${escapeHtml(n.link)}">${t.open}</a></p>`,
    )
    .join('');
  const html = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:Arial,sans-serif;color:#1f2937">${items}<p style="margin-top:24px"><a href="${escapeHtml(urls.journal)}">${t.journal}</a> · <a href="${escapeHtml(urls.settings)}">${t.settings}</a></p><p style="color:#4b5563;font-size:12px">${t.footer}</p></body></html>`;
  return { subject, text, html };
}

/** One SMS for one or several notices: short, no links to type. */
export function composeSms(language: Language, notices: readonly Pick<MailNotice, 'appealNumber' | 'title'>[]): string {
  const t = MAIL[language];
  const [only] = notices;
  if (notices.length === 1 && only) return t.sms(only.appealNumber, only.title);
  const numbers = [...new Set(notices.map((n) => n.appealNumber).filter((n): n is string => n !== null))];
  return t.smsMerged(notices.length, numbers);
}
