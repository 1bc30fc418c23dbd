/**
 * A person's colour: the same everywhere they appear (the presence list, their
 * caret and its label in the description), on every instance, from their user
 * id alone. The UI writes white text on it (initials in PresenceList.svelte,
 * the caret label in app.css), so every colour has at least 4.5:1 contrast
 * with white (WCAG AA for text).
 */

/** Twelve hues, each dark enough for white text (contrast with #fff from 5.1:1 to 8.2:1). */
export const IDENTITY_PALETTE = [
  '#b3261e', // red
  '#a84300', // orange
  '#7a5f00', // ochre
  '#2e7d32', // green
  '#00796b', // teal
  '#00708a', // cyan
  '#1565c0', // blue
  '#3949ab', // indigo
  '#7b1fa2', // purple
  '#ad1457', // magenta
  '#6d4c41', // brown
  '#455a64', // slate
] as const;

/** The colour of a user id: a 32-bit string hash (h·31 + code unit) into the palette. */
export function colourOf(userId: string): string {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
  // Stryker disable next-line StringLiteral: unreachable — h is an unsigned integer, so the index is always in the palette
  return IDENTITY_PALETTE[h % IDENTITY_PALETTE.length] ?? IDENTITY_PALETTE[0];
}
