/**
 * Demo accounts for a fresh install: one confirmed citizen, an operator and a
 * supervisor per department, one expert and one admin. Passwords are random and
 * returned once, for the start banner; only their hashes are stored.
 */
import { randomInt } from 'node:crypto';
import type { Role } from '../../../shared/status-machine.js';
import { SUPPORT_DEPARTMENT_CODE } from '../../../shared/support.js';
import type { Clock } from '../../lib/clock.js';
import { newId, newToken } from '../../lib/ids.js';
import { StoreError, type Store, type UserRecord } from '../../store/store.js';
import { currentConsent } from './consent.js';
import { hashPassword } from './password.js';

export interface SeededAccount {
  role: Role;
  login: string;
  password: string;
  note: string;
}

/** A random personal (12-digit) ИНН with correct check digits. */
export function randomPersonalInn(region = '77'): string {
  const d = Array.from(region, Number);
  while (d.length < 10) d.push(randomInt(0, 10));
  const check = (weights: number[]): number => (weights.reduce((s, w, i) => s + w * (d[i] ?? 0), 0) % 11) % 10;
  d.push(check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
  d.push(check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
  return d.join('');
}

/** Satisfies passwordSchema: 14 characters with letters and digits. */
const randomPassword = (): string => `${newToken().slice(0, 12)}7a`;

interface Spec {
  role: Role;
  email: string;
  fullName: string;
  departmentId: string | null;
  note: string;
  citizen?: boolean;
}

/** Demo people per department: believable names so screens read like the real thing. */
const DEMO_NAMES = [
  ['Соколова Мария Андреевна', 'Волков Андрей Сергеевич'],
  ['Кузнецова Елена Викторовна', 'Морозов Павел Ильич'],
  ['Новикова Ольга Петровна', 'Лебедев Игорь Николаевич'],
  ['Фёдорова Анна Михайловна', 'Егоров Денис Олегович'],
  ['Павлова Татьяна Юрьевна', 'Козлов Сергей Александрович'],
  ['Семёнова Ирина Борисовна', 'Орлов Михаил Дмитриевич'],
  ['Васильева Наталья Игоревна', 'Зайцев Алексей Романович'],
] as const;

function specs(departments: { id: string; code: string; name: string }[]): Spec[] {
  const list: Spec[] = [
    { role: 'citizen', email: 'citizen@demo.local', fullName: 'Иванов Иван Иванович', departmentId: null, note: 'Заявитель', citizen: true },
  ];
  for (const [i, dep] of departments.entries()) {
    const code = dep.code.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const [operatorName, supervisorName] = DEMO_NAMES[i % DEMO_NAMES.length] ?? ['Сотрудник', 'Руководитель'];
    list.push({ role: 'operator', email: `operator.${code}@demo.local`, fullName: operatorName, departmentId: dep.id, note: `Сотрудник: ${dep.name}` });
    list.push({
      role: 'supervisor',
      email: `supervisor.${code}@demo.local`,
      fullName: supervisorName,
      departmentId: dep.id,
      note: `Руководитель: ${dep.name}`,
    });
  }
  // Support staff (docs/support.md): answer the support conversations in the support department's queue.
  const support = departments.find((d) => d.code === SUPPORT_DEPARTMENT_CODE);
  if (support) {
    list.push({
      role: 'operator',
      email: 'operator.support@demo.local',
      fullName: 'Смирнова Ксения Олеговна',
      departmentId: support.id,
      note: `Служба поддержки: ${support.name}`,
    });
  }
  list.push({ role: 'expert', email: 'expert@demo.local', fullName: 'Петров Виктор Сергеевич', departmentId: null, note: 'Эксперт (приглашается в комнаты)' });
  list.push({ role: 'admin', email: 'admin@demo.local', fullName: 'Администратор', departmentId: null, note: 'Администратор платформы' });
  return list;
}

/** Creates the demo accounts when the users table is empty; returns those this call stored ([] otherwise). */
export async function seedDemoAccounts(store: Store, clock: Clock, departments: { id: string; code: string; name: string }[]): Promise<SeededAccount[]> {
  if ((await store.users.count()) > 0) return [];
  const seeded: SeededAccount[] = [];
  let n = 0;
  for (const spec of specs(departments)) {
    n++;
    const password = randomPassword();
    const user: UserRecord = {
      id: newId(),
      email: spec.email,
      phone: `+7900000${String(n).padStart(4, '0')}`,
      passwordHash: await hashPassword(password),
      fullName: spec.fullName,
      role: spec.role,
      departmentId: spec.departmentId,
      birthDate: spec.citizen ? '1985-04-12' : null,
      inn: spec.citizen ? randomPersonalInn() : null,
      address: spec.citizen ? 'г. Москва, ул. Тверская, д. 1, кв. 1' : null,
      emailConfirmed: true,
      phoneConfirmed: true,
      locked: false,
      expertsSeeContacts: false,
      createdAt: clock.now(),
      // The demo accounts are seeded as having read the consent text in force (consent.ts).
      consentVersion: currentConsent().version,
      consentAcceptedAt: clock.now(),
    };
    try {
      await store.users.create(user);
    } catch (err) {
      // Another instance starting on the same empty MongoDB seeded this account
      // first (and prints its password): not ours to print.
      if (err instanceof StoreError && err.code === 'duplicate') continue;
      throw err;
    }
    seeded.push({ role: spec.role, login: spec.email, password, note: spec.note });
  }
  return seeded;
}
