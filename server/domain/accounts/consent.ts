/**
 * The consent to the processing of personal data (152-ФЗ, ст. 9) a citizen
 * gives at registration: one versioned text, Russian first. The version a
 * person accepted, and when, is kept on their user record and in the audit
 * journal; while it differs from the current one, a signed-in citizen is
 * asked again before anything else (the server answers CONSENT_REQUIRED).
 *
 * Staff accounts are created by an admin and process data under their
 * employment, not under this consent: the text is asked of citizens only.
 *
 * A new text means a new `version` here; tests publish one with `publishConsent`.
 */
import type { Role } from '../../../shared/status-machine.js';

export interface ConsentTerms {
  /** Changes whenever the text changes (a date, and a letter for a second text that day). */
  version: string;
  ru: string;
  en: string;
}

export const INITIAL_CONSENT: ConsentTerms = {
  version: '2026-12-01',
  ru: [
    'Я даю согласие на обработку моих персональных данных (фамилия, имя, отчество, дата рождения, ИНН, адрес, адрес электронной почты, номер телефона, сведения в моих обращениях и приложенных документах) в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных».',
    'Цель обработки — регистрация в личном кабинете, подача и рассмотрение обращений, уведомления о ходе их рассмотрения.',
    'Мои контактные данные доступны сотруднику ведомства, рассматривающему обращение, и руководителю ведомства; приглашённым экспертам — только с моего согласия.',
    'Согласие действует до его отзыва; я могу отозвать его, удалив учётную запись. Обращения, которые закон требует хранить, хранятся установленный срок.',
  ].join('\n\n'),
  en: [
    'I consent to the processing of my personal data (full name, date of birth, INN, address, e-mail address, phone number, the contents of my appeals and attached documents) under Federal Law No. 152-FZ of 27.07.2006 "On Personal Data".',
    'The purpose: registration of the personal account, submitting and handling appeals, and notices about their progress.',
    "My contact details are visible to the department's officer handling the appeal and to the department's supervisor; to invited experts only with my consent.",
    'The consent is valid until withdrawn; I may withdraw it by deleting the account. Appeals the law requires to be kept are kept for the period it sets.',
  ].join('\n\n'),
};

let current: ConsentTerms = INITIAL_CONSENT;

/** The text in force. */
export function currentConsent(): ConsentTerms {
  return current;
}

/** Puts a new text in force (tests: a new version asks again at the next sign-in). */
export function publishConsent(terms: ConsentTerms): void {
  current = terms;
}

/** Whether this person must accept the current text before anything else. */
export function consentRequired(user: { role: Role; consentVersion?: string | null }): boolean {
  return user.role === 'citizen' && user.consentVersion !== current.version;
}
