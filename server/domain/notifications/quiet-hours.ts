/**
 * SMS quiet hours: none between 22:00 and 08:00 in the person's time zone;
 * one due then waits for 08:00.
 */

export const QUIET_FROM_HOUR = 22;
export const QUIET_TO_HOUR = 8;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(at: number, timeZone: string): LocalParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC at `at`, in ms (Moscow: +3 h). */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The local hour (0–23) at `at` in `timeZone`. */
export function localHour(at: number, timeZone: string): number {
  return localParts(at, timeZone).hour;
}

export function isQuiet(at: number, timeZone: string): boolean {
  const h = localHour(at, timeZone);
  return h >= QUIET_FROM_HOUR || h < QUIET_TO_HOUR;
}

/** `at` itself outside quiet hours, else the next 08:00 in `timeZone`. */
export function smsAllowedAt(at: number, timeZone: string): number {
  if (!isQuiet(at, timeZone)) return at;
  const p = localParts(at, timeZone);
  // 08:00 of the same local day before 08:00, of the next one after 22:00.
  const dayShift = p.hour >= QUIET_FROM_HOUR ? 1 : 0;
  const wallClock = Date.UTC(p.year, p.month - 1, p.day + dayShift, QUIET_TO_HOUR, 0, 0);
  let guess = wallClock - offsetAt(at, timeZone);
  // The offset at the target instant may differ (a daylight-saving change overnight).
  guess = wallClock - offsetAt(guess, timeZone);
  return guess;
}
