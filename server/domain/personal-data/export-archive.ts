/**
 * The content of a person's data export (docs/personal-data.md) and its ZIP:
 * `data.json` (everything, machine-readable), `index.html` (the same, readable
 * in Russian: self-contained, no scripts, no outside requests) and the files
 * of each appeal under `appeals/<number>/files/`. Pure: the service reads the
 * Store and the blobs and hands the data in.
 */
import { Buffer } from 'node:buffer';
import yazl from 'yazl';
import { STATUS_LABELS_RU, type Status } from '../../../shared/status-machine.js';

export const EXPORT_FORMAT = 'caseroom-personal-data-export/1';

export interface ExportProfile {
  id: string;
  fullName: string;
  email: string;
  phone: string;
  birthDate: string | null;
  inn: string | null;
  address: string | null;
  role: string;
  emailConfirmed: boolean;
  phoneConfirmed: boolean;
  expertsSeeContacts: boolean;
  createdAt: string;
  /** The personal-data consent accepted: its version and when (null: none recorded). */
  consent: { version: string; acceptedAt: string | null } | null;
}

/** One read of the person's data by someone else (the access log). */
export interface ExportAccess {
  at: string;
  reader: string;
  role: string;
  appealNumber: string | null;
  fields: string[];
}

export interface ExportFile {
  attachmentId: string;
  version: number;
  current: boolean;
  fileName: string;
  mime: string;
  size: number;
  uploadedAt: string;
  /** The file's path inside the ZIP; null when its bytes are no longer stored. */
  path: string | null;
}

export interface ExportAppeal {
  id: string;
  number: string | null;
  status: Status;
  statusLabel: string;
  type: string | null;
  category: string | null;
  department: string | null;
  subject: string;
  description: string;
  details: unknown;
  applicant: unknown;
  extra: Record<string, string>;
  region: string;
  createdAt: string;
  submittedAt: string | null;
  deadlineAt: string | null;
  history: { seq: number; at: string; from: string; to: string; action: string; actor: string; comment: string | null }[];
  entries: { seq: number; kind: string; at: string; text: string; changes: { field: string; before: string; after: string }[] }[];
  chat: { seq: number; at: string; author: string; role: string; text: string; editedAt: string | null; withdrawn: boolean }[];
  files: ExportFile[];
  decisions: { seq: number; kind: string; text: string; signer: string; department: string; proposedAt: string; issuedAt: string | null }[];
  rating: { stars: number; comment: string | null; at: string } | null;
}

export interface ExportData {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  profile: ExportProfile;
  appeals: ExportAppeal[];
  /** Who read the person's data, newest first (docs/privacy.md). */
  accessLog: ExportAccess[];
}

/** The bytes of each file path in `data.appeals[].files[].path`. */
export type ExportBlobs = Map<string, Uint8Array>;

export const iso = (at: number): string => new Date(at).toISOString();
export const isoOrNull = (at: number | null | undefined): string | null => (at === null || at === undefined ? null : iso(at));

/** A name safe as one path segment in any unzip tool: no separators, control characters or reserved characters; at most 120 characters. */
export function safeSegment(name: string): string {
  let plain = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    plain += code < 0x20 || code === 0x7f ? '_' : name.charAt(i);
  }
  const cleaned = plain
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/^\.+/, '_')
    .trim();
  return (cleaned || 'file').slice(0, 120);
}

/** The folder of an appeal in the ZIP: its number, or `draft-<id>` before it has one. */
export const appealFolder = (a: { id: string; number: string | null }): string => `appeals/${safeSegment(a.number ?? `draft-${a.id}`)}`;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const when = (at: string | null): string =>
  at === null
    ? '—'
    : new Intl.DateTimeFormat('ru-RU', {
        timeZone: 'Europe/Moscow',
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      }).format(Date.parse(at));
const href = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

const CSS = `body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:60rem;margin:0 auto;padding:1rem}
h1,h2,h3{line-height:1.25}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}a{color:#0b4dab}section{border-top:2px solid #1a1a1a;margin-top:2rem}.muted{color:#555}`;

/** The readable index: the profile, then each appeal with its history, chat, files and decisions. */
export function renderIndexHtml(data: ExportData): string {
  const p = data.profile;
  const row = (k: string, v: string | null): string => `<tr><th scope="row">${esc(k)}</th><td>${esc(v ?? '—')}</td></tr>`;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="ru"><head><meta charset="utf-8">`);
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  parts.push(`<meta name="viewport" content="width=device-width, initial-scale=1"><title>Мои данные — выгрузка от ${esc(when(data.exportedAt))}</title>`);
  parts.push(`<style>${CSS}</style></head><body><main>`);
  parts.push(
    `<h1>Мои данные</h1><p class="muted">Выгрузка от ${esc(when(data.exportedAt))} (время московское). Полные данные — в файле <a href="data.json">data.json</a>.</p>`,
  );
  parts.push(`<h2>Профиль</h2><table><caption>Персональные данные</caption><tbody>`);
  parts.push(
    row('ФИО', p.fullName) +
      row('Электронная почта', p.email) +
      row('Телефон', p.phone) +
      row('Дата рождения', p.birthDate) +
      row('ИНН', p.inn) +
      row('Адрес', p.address) +
      row('Зарегистрирован', when(p.createdAt)) +
      row('Эксперты видят контакты', p.expertsSeeContacts ? 'да' : 'нет') +
      row('Согласие на обработку персональных данных', p.consent ? `редакция ${p.consent.version}, ${when(p.consent.acceptedAt)}` : null),
  );
  parts.push(`</tbody></table>`);
  parts.push(`<h2>Кто обращался к моим данным</h2>`);
  if (data.accessLog.length === 0) parts.push('<p>Записей нет.</p>');
  else {
    parts.push(
      '<table><thead><tr><th scope="col">Когда</th><th scope="col">Кто</th><th scope="col">Обращение</th><th scope="col">Какие данные</th></tr></thead><tbody>',
    );
    for (const e of data.accessLog) {
      parts.push(`<tr><td>${esc(when(e.at))}</td><td>${esc(e.reader)}</td><td>${esc(e.appealNumber ?? '—')}</td><td>${esc(e.fields.join(', '))}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }
  parts.push(`<h2>Обращения (${data.appeals.length})</h2>`);
  if (data.appeals.length === 0) parts.push('<p>Обращений нет.</p>');
  else {
    parts.push('<ul>');
    for (const a of data.appeals)
      parts.push(
        `<li><a href="#a-${esc(a.id)}">${esc(a.number ? `№ ${a.number}` : 'Черновик')}</a> — ${esc(a.subject || 'без темы')} (${esc(a.statusLabel)})</li>`,
      );
    parts.push('</ul>');
  }
  for (const a of data.appeals) {
    parts.push(`<section id="a-${esc(a.id)}"><h2>${esc(a.number ? `Обращение № ${a.number}` : 'Черновик обращения')}</h2><table><tbody>`);
    parts.push(
      row('Тема', a.subject) +
        row('Статус', a.statusLabel) +
        row('Категория', a.category) +
        row('Ведомство', a.department) +
        row('Создано', when(a.createdAt)) +
        row('Подано', when(a.submittedAt)) +
        row('Срок ответа', when(a.deadlineAt)),
    );
    parts.push(`</tbody></table><h3>Описание</h3><p>${esc(a.description || '—')}</p>`);
    parts.push(`<h3>История</h3>`);
    if (a.history.length === 0) parts.push('<p>Нет записей.</p>');
    else {
      parts.push(
        '<table><thead><tr><th scope="col">Когда</th><th scope="col">Статус</th><th scope="col">Кто</th><th scope="col">Комментарий</th></tr></thead><tbody>',
      );
      for (const h of a.history) {
        const to = h.to in STATUS_LABELS_RU ? STATUS_LABELS_RU[h.to as Status] : h.to;
        parts.push(`<tr><td>${esc(when(h.at))}</td><td>${esc(to)}</td><td>${esc(h.actor)}</td><td>${esc(h.comment ?? '')}</td></tr>`);
      }
      parts.push('</tbody></table>');
    }
    if (a.entries.length > 0) {
      parts.push('<h3>Дополнения и исправления</h3><ul>');
      for (const e of a.entries)
        parts.push(`<li>${esc(when(e.at))}: ${esc(e.kind === 'supplement' ? e.text : e.changes.map((c) => `${c.field}: ${c.after}`).join('; '))}</li>`);
      parts.push('</ul>');
    }
    parts.push(`<h3>Переписка</h3>`);
    if (a.chat.length === 0) parts.push('<p>Сообщений нет.</p>');
    else {
      parts.push('<table><thead><tr><th scope="col">Когда</th><th scope="col">Автор</th><th scope="col">Сообщение</th></tr></thead><tbody>');
      for (const m of a.chat)
        parts.push(`<tr><td>${esc(when(m.at))}</td><td>${esc(m.author)}</td><td>${esc(m.withdrawn ? '(сообщение отозвано)' : m.text)}</td></tr>`);
      parts.push('</tbody></table>');
    }
    parts.push(`<h3>Файлы</h3>`);
    if (a.files.length === 0) parts.push('<p>Файлов нет.</p>');
    else {
      parts.push('<ul>');
      for (const f of a.files) {
        const label = `${f.fileName} (версия ${f.version}${f.current ? ', текущая' : ''}, ${f.size} байт)`;
        parts.push(`<li>${f.path ? `<a href="${esc(href(f.path))}">${esc(label)}</a>` : `${esc(label)} — файл не сохранился`}</li>`);
      }
      parts.push('</ul>');
    }
    parts.push(`<h3>Решения</h3>`);
    if (a.decisions.length === 0) parts.push('<p>Решений нет.</p>');
    else {
      for (const d of a.decisions) {
        const kind = d.kind === 'rejection' ? 'Отказ' : 'Решение';
        const state = d.issuedAt ? `вынесено ${when(d.issuedAt)}` : `предложено ${when(d.proposedAt)}`;
        parts.push(`<h4>${esc(`${kind} № ${d.seq}`)}, ${esc(state)}</h4><p>${esc(d.text)}</p><p class="muted">${esc(`${d.signer}, ${d.department}`)}</p>`);
      }
    }
    if (a.rating) parts.push(`<h3>Ваша оценка</h3><p>${esc(`${a.rating.stars} из 5`)}${a.rating.comment ? ` — ${esc(a.rating.comment)}` : ''}</p>`);
    parts.push('</section>');
  }
  parts.push('</main></body></html>\n');
  return parts.join('');
}

/** The ZIP: data.json, index.html and every stored file. Entries get the export's time, so the archive says when it was made. */
export function buildZip(data: ExportData, blobs: ExportBlobs): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(data.exportedAt);
  zip.addBuffer(Buffer.from(JSON.stringify(data, null, 2), 'utf8'), 'data.json', { mtime });
  zip.addBuffer(Buffer.from(renderIndexHtml(data), 'utf8'), 'index.html', { mtime });
  for (const [path, bytes] of blobs) zip.addBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, { mtime, compress: true });
  zip.end();
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => {
      const b = Buffer.concat(chunks);
      resolve(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    });
  });
}
