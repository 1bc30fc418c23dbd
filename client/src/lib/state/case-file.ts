/**
 * The case file as the room shows it: what the citizen filed, in sections of
 * labelled rows, built from the appeal view the server gave this person. The
 * server has already left out what this person may not see (the citizen's
 * contacts, PRODUCT.md §8); here a hidden section becomes a note saying who
 * sees it.
 */
import type { Appeal, Category, Department } from '../api-types';
import { formatDate, formatDateTime, i18n, t, type MessageKey } from '../i18n/i18n.svelte';

export interface CaseFileRow {
  /** Stable id of the row (`extra.accountNumber`, `details.expected`, `citizen.email`). */
  key: string;
  label: string;
  value: string;
  /** A mailto: or tel: link for contacts. */
  href?: string;
  /** Kept with its line breaks (free text). */
  isText?: boolean;
}

export interface CaseFileSection {
  id: 'appeal' | 'fields' | 'details' | 'applicant' | 'contacts';
  title: string;
  rows: CaseFileRow[];
  /** Shown under the rows, or instead of them. */
  note?: string;
}

/** The details of wizard step 3 in the order the wizard asks them; the reply contact is a contact. */
const DETAIL_ORDER = ['service', 'happenedOn', 'stepsTaken', 'errorText', 'expected', 'actual'] as const;

/** A `YYYY-MM-DD` date in the locale's words, read as a calendar day (no time zone shift). */
function formatDay(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? formatDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime()) : iso;
}

function detailLabel(key: string): string {
  const own = `caseFile.detail.${key}`;
  if (i18n.has(own)) return t(own);
  const wizard = `details.${key}`;
  return i18n.has(wizard) ? t(wizard) : key;
}

function row(key: string, label: string, value: string, extra: Partial<CaseFileRow> = {}): CaseFileRow {
  return { key, label, value, ...extra };
}

function appealSection(a: Appeal, category: Category | undefined, department: Department | undefined): CaseFileSection {
  const rows = [
    row('type', t('appeal.type'), a.type ? t(`appealType.${a.type}`) : t('caseFile.notFilled')),
    row('category', t('appeal.category'), category?.name ?? t('caseFile.notFilled')),
    row('department', t('appeal.department'), department?.name ?? t('caseFile.notFilled')),
    row('region', t('caseFile.region'), a.region),
    row('submittedAt', t('caseFile.submittedAt'), a.submittedAt === null ? t('caseFile.notFilled') : formatDateTime(a.submittedAt)),
  ];
  if (a.resubmissionCount > 0) rows.push(row('resubmissions', t('caseFile.resubmissions'), String(a.resubmissionCount)));
  return { id: 'appeal', title: t('caseFile.appeal'), rows };
}

/** The category's own fields with its labels, then any value the category no longer names. */
function fieldsSection(a: Appeal, category: Category | undefined): CaseFileSection | null {
  const fields = category?.extraFields ?? [];
  const rows = fields.map((f) => {
    const value = a.extra[f.key]?.trim() ?? '';
    return row(`extra.${f.key}`, f.label, value === '' ? t('caseFile.notFilled') : f.kind === 'date' ? formatDay(value) : value, { isText: f.kind === 'text' });
  });
  for (const [key, value] of Object.entries(a.extra)) {
    if (!fields.some((f) => f.key === key) && value.trim() !== '') rows.push(row(`extra.${key}`, key, value, { isText: true }));
  }
  if (rows.length === 0) return null;
  return { id: 'fields', title: category ? t('caseFile.fieldsOf', { category: category.name }) : t('caseFile.fields'), rows };
}

function detailsSection(a: Appeal): CaseFileSection {
  const details = a.details as Record<string, string | undefined>;
  const keys = [...DETAIL_ORDER, ...Object.keys(details).filter((k) => k !== 'replyContact' && !(DETAIL_ORDER as readonly string[]).includes(k))];
  const rows = keys.flatMap((k) => {
    const value = details[k]?.trim() ?? '';
    if (value === '') return [];
    return [row(`details.${k}`, detailLabel(k), k === 'happenedOn' ? formatDay(value) : value, { isText: k !== 'happenedOn' })];
  });
  return { id: 'details', title: t('caseFile.details'), rows, ...(rows.length === 0 ? { note: t('caseFile.noDetails') } : {}) };
}

function applicantSection(a: Appeal): CaseFileSection {
  const p = a.applicant;
  const rows = [row('applicant.kind', t('caseFile.applicantKind'), t(`applicantKind.${p.kind}`))];
  switch (p.kind) {
    case 'individual':
      break;
    case 'legal_entity':
      rows.push(
        row('applicant.orgName', t('applicant.orgName'), p.orgName),
        row('applicant.orgInn', t('applicant.orgInn'), p.orgInn),
        row('applicant.ogrn', t('applicant.ogrn'), p.ogrn),
      );
      break;
    case 'representative':
      rows.push(
        row('applicant.principalName', t('caseFile.principalName'), p.principalName),
        row('applicant.representativeKind', t('caseFile.representativeKind'), t(`representativeKind.${p.representativeKind}`)),
        row('applicant.powerOfAttorney', t('caseFile.powerOfAttorney'), t('caseFile.powerOfAttorneyNote')),
      );
      break;
  }
  return { id: 'applicant', title: t('caseFile.applicant'), rows };
}

/** The citizen's name and contacts, when the server gave them; otherwise who may see them. */
function contactsSection(a: Appeal): CaseFileSection {
  const c = a.citizen;
  if (!c) {
    const note: MessageKey = a.roomRole === 'expert' ? 'caseFile.contactsHiddenExpert' : 'caseFile.contactsHiddenOfficer';
    return { id: 'contacts', title: t('caseFile.contacts'), rows: [], note: t(note) };
  }
  const rows = [row('citizen.fullName', t('caseFile.fullName'), c.fullName)];
  if (c.email) rows.push(row('citizen.email', t('caseFile.email'), c.email, { href: `mailto:${c.email}` }));
  if (c.phone) rows.push(row('citizen.phone', t('caseFile.phone'), c.phone, { href: `tel:${c.phone}` }));
  const reply = a.details.replyContact?.trim();
  if (reply) rows.push(row('details.replyContact', t('caseFile.replyContact'), reply));
  return { id: 'contacts', title: t('caseFile.contacts'), rows };
}

/** The sections of the case file for this appeal view. */
export function caseFileSections(a: Appeal, category: Category | undefined, department: Department | undefined): CaseFileSection[] {
  const fields = fieldsSection(a, category);
  return [appealSection(a, category, department), ...(fields ? [fields] : []), detailsSection(a), applicantSection(a), contactsSection(a)];
}
