/**
 * Masked contact data for display ("code sent to i***@mail.ru"): enough for the
 * owner to recognise, too little to harvest.
 */

/** "ivan@mail.ru" → "i***@mail.ru". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** "+79161234567" → "+7 *** ***-45-67". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return '***';
  return `+${digits.slice(0, digits.length - 10) || '7'} *** ***-${digits.slice(-4, -2)}-${digits.slice(-2)}`;
}

/** Masks whichever kind of address it is given. */
export function maskContact(to: string): string {
  return to.includes('@') ? maskEmail(to) : maskPhone(to);
}
